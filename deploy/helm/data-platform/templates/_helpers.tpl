{{/*
Umbrella helpers.  data-platform.namespace checks that the values file and
the release namespace agree, so values-prod.yaml can never land in
data-platform-dev (or the other way round).
*/}}
{{- define "data-platform.namespace" -}}
{{- $want := required "global.namespace is required: use values-<env>.yaml" .Values.global.namespace -}}
{{- if ne $want .Release.Namespace -}}
{{- fail (printf "these values are for namespace %s but the release is going to %s" $want .Release.Namespace) -}}
{{- end -}}
{{- $want -}}
{{- end -}}

{{- define "data-platform.labels" -}}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Connector names, the same rule as in the capture and archive charts. */}}
{{- define "data-platform.connectorName" -}}
{{- $sub := index .root.Values .role -}}
{{- $sub.connectorName | default (printf "%s-%s" .root.Values.global.topicPrefix .role) -}}
{{- end -}}
