{{/* As upstream's chart does: the image tag becomes the version label. */}}
{{- define "alloy.labels" -}}
app.kubernetes.io/name: alloy
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
{{- end }}
