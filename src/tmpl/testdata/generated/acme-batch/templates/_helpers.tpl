{{/* vim: set filetype=mustache: */}}
{{- define "acme-batch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "acme-batch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "acme-batch.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- define "acme-batch.labels" -}}
app.kubernetes.io/name: {{ include "acme-batch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- define "acme-batch.image" -}}
{{- required "image.ref must be set (digest-pinned)" .Values.image.ref }}
{{- end }}
