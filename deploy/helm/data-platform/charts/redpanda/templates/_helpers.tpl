{{/*
redpanda helpers.  Every broker advertises
<pod>.<headless service>.<namespace>.svc.cluster.local, so clients that
bootstrap through the headless service reach each broker by a name that
resolves inside the cluster.
*/}}
{{- define "redpanda.fullname" -}}{{ .Release.Name }}-redpanda{{- end -}}

{{- define "redpanda.domain" -}}
{{- printf "%s.%s.svc.cluster.local" (include "redpanda.fullname" .) .Release.Namespace -}}
{{- end -}}

{{- define "redpanda.seeds" -}}
{{- $seeds := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $seeds = append $seeds (printf "%s-%d.%s:33145" (include "redpanda.fullname" $) $i (include "redpanda.domain" $)) -}}
{{- end -}}
{{- join "," $seeds -}}
{{- end -}}

{{- define "redpanda.selectorLabels" -}}
app.kubernetes.io/name: redpanda
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: broker
{{- end -}}

{{- define "redpanda.labels" -}}
{{ include "redpanda.selectorLabels" . }}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "redpanda.config" -}}
redpanda.yaml: |
  redpanda:
    data_directory: /var/lib/redpanda/data
    empty_seed_starts_cluster: false
  rpk:
    overprovisioned: false
.bootstrap.yaml: |
  {{- toYaml .Values.clusterConfig | nindent 2 }}
{{- end -}}
