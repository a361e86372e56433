{{/*
archive helpers.  archive.properties is rendered from values with
Confluent S3 sink key names.  S3 credentials are never in it: sluice reads
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, filled from the Secret in
global.s3.credentialsSecretRef.  A literal value for a secret-looking key
fails the render.
*/}}
{{- define "archive.fullname" -}}{{ .Release.Name }}-archive{{- end -}}

{{- define "archive.connectorName" -}}
{{- .Values.connectorName | default (printf "%s-archive" .Values.global.topicPrefix) -}}
{{- end -}}

{{- define "archive.groupId" -}}
{{- .Values.groupId | default (printf "%s-archive" .Values.global.topicPrefix) -}}
{{- end -}}

{{- define "archive.selectorLabels" -}}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: archive
{{- end -}}

{{- define "archive.labels" -}}
{{ include "archive.selectorLabels" . }}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.global.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "archive.kafkaBootstrap" -}}
{{- .Values.global.kafka.bootstrapServers | default (printf "%s-redpanda.%s.svc.cluster.local:9092" .Release.Name .Release.Namespace) -}}
{{- end -}}

{{- define "archive.properties" -}}
{{- $s3 := .Values.global.s3 -}}
{{- /* [.] rather than \. : a backslash is an escape in .properties files. */ -}}
{{- $props := dict
  "name" (include "archive.connectorName" .)
  "topics.regex" (.Values.topicsRegex | default (printf "%s[.].*" .Values.global.topicPrefix))
  "group.id" (include "archive.groupId" .)
  "kafka.bootstrap.servers" (include "archive.kafkaBootstrap" .)
  "format.class" .Values.formatClass
  "flush.size" (printf "%d" (int64 .Values.flushSize))
  "rotate.interval.ms" (printf "%d" (int64 .Values.rotateIntervalMs))
  "partitioner.class" .Values.partitionerClass
  "path.format" .Values.pathFormat
  "partition.duration.ms" (printf "%d" (int64 .Values.partitionDurationMs))
  "timestamp.extractor" "Record"
  "locale" "en-US"
  "timezone" "UTC"
  "topics.dir" .Values.topicsDir
  "s3.bucket.name" (required "global.s3.bucket is required" $s3.bucket)
  "s3.region" (required "global.s3.region is required" $s3.region)
  "s3.path.style.access" (toString $s3.pathStyleAccess)
  "http.listen" "0.0.0.0:8083"
  "offset.storage.dir" "/var/lib/sluice"
-}}
{{- if $s3.endpoint -}}
{{- $_ := set $props "s3.endpoint" $s3.endpoint -}}
{{- end -}}
{{- range $k, $v := .Values.config -}}
{{- $s := toString $v -}}
{{- if and (regexMatch "(?i)(password|secret|credential|access\\.key|token)" $k) (not (hasPrefix "${" $s)) -}}
{{- fail (printf "archive.config.%s: a secret must not be set in values; reference it as ${env:NAME} or ${file:/path:key}" $k) -}}
{{- end -}}
{{- $_ := set $props $k $s -}}
{{- end -}}
# archive.properties rendered by the data-platform chart; keys as the Confluent S3 sink's.
{{ range $k := keys $props | sortAlpha -}}
{{ $k }}={{ index $props $k }}
{{ end -}}
{{- end -}}
