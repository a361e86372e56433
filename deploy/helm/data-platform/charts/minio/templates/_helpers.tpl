{{/* dev MinIO: root credentials are the s3-credentials Secret (accessKey,
secretKey), the same that archive uses, so archive can write at once. */}}
{{- define "minio.fullname" -}}{{ .Release.Name }}-minio{{- end -}}

{{- define "minio.selectorLabels" -}}
app.kubernetes.io/name: minio
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: object-store
{{- end -}}

{{- define "minio.labels" -}}
{{ include "minio.selectorLabels" . }}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "minio.credentialsEnv" -}}
{{- $sec := .Values.global.s3.credentialsSecretRef -}}
- name: MINIO_ROOT_USER
  valueFrom:
    secretKeyRef:
      name: {{ $sec.name }}
      key: {{ $sec.accessKeyKey }}
- name: MINIO_ROOT_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $sec.name }}
      key: {{ $sec.secretKeyKey }}
{{- end -}}

{{- define "minio.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "minio.podSecurity" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}
