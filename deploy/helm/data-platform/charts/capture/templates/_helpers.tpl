{{/*
capture helpers.  capture.properties is rendered from values; the only
credentials it names are ${env:...} references filled from the Secret in
global.postgres.credentialsSecretRef, so no secret ever reaches a
ConfigMap.  A literal value for a secret-looking key fails the render.
*/}}
{{- define "capture.fullname" -}}{{ .Release.Name }}-capture{{- end -}}

{{- define "capture.connectorName" -}}
{{- .Values.connectorName | default (printf "%s-capture" .Values.global.topicPrefix) -}}
{{- end -}}

{{- define "capture.selectorLabels" -}}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: capture
{{- end -}}

{{- define "capture.labels" -}}
{{ include "capture.selectorLabels" . }}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.global.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "capture.kafkaBootstrap" -}}
{{- .Values.global.kafka.bootstrapServers | default (printf "%s-redpanda.%s.svc.cluster.local:9092" .Release.Name .Release.Namespace) -}}
{{- end -}}

{{- define "capture.properties" -}}
{{- $pg := .Values.global.postgres -}}
{{- $props := dict
  "name" (include "capture.connectorName" .)
  "database.hostname" (required "global.postgres.host is required" $pg.host)
  "database.port" (printf "%d" (int64 $pg.port))
  "database.user" "${env:POSTGRES_USER}"
  "database.password" "${env:POSTGRES_PASSWORD}"
  "database.dbname" (required "global.postgres.database is required" $pg.database)
  "topic.prefix" .Values.global.topicPrefix
  "slot.name" .Values.slotName
  "publication.name" .Values.publicationName
  "table.include.list" .Values.tableIncludeList
  "snapshot.mode" .Values.snapshotMode
  "sink.type" "kafka"
  "kafka.bootstrap.servers" (include "capture.kafkaBootstrap" .)
  "http.listen" "0.0.0.0:8083"
  "offset.storage.dir" "/var/lib/sluice"
-}}
{{- range $k, $v := .Values.config -}}
{{- $s := toString $v -}}
{{- if and (regexMatch "(?i)(password|secret|credential|access\\.key|token)" $k) (not (hasPrefix "${" $s)) -}}
{{- fail (printf "capture.config.%s: a secret must not be set in values; reference it as ${env:NAME} or ${file:/path:key}" $k) -}}
{{- end -}}
{{- $_ := set $props $k $s -}}
{{- end -}}
# capture.properties rendered by the data-platform chart; keys as Debezium's.
{{ range $k := keys $props | sortAlpha -}}
{{ $k }}={{ index $props $k }}
{{ end -}}
{{- end -}}
