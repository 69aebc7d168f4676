{{- define "feat.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end -}}
