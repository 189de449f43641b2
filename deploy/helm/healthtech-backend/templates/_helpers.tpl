{{/* What each service calls (its *_SERVICE_URL variables), whether it has a database
schema and uses Redis, and what reaches it. Mirrors deploy/k8s/base; the validator checks
both against the services' sources. */}}
{{- define "healthtech.meta" -}}
bff:          {calls: [iam, org, appointment, payment, notification, forum, uhi], db: false, redis: true,  auth: true,  web: false, egress: []}
iam:          {calls: [],                        db: true,  redis: true,  auth: true,  web: true,  egress: []}
org:          {calls: [iam],                     db: true,  redis: true,  auth: true,  web: true,  egress: []}
appointment:  {calls: [iam, org],                db: true,  redis: true,  auth: true,  web: false, egress: []}
payment:      {calls: [iam, appointment, org],   db: true,  redis: true,  auth: true,  web: false, egress: [443]}
notification: {calls: [iam],                     db: true,  redis: true,  auth: true,  web: true,  egress: [443, 587]}
forum:        {calls: [iam, org, appointment], db: true,  redis: true,  auth: true,  web: false, egress: []}
uhi:          {calls: [iam, org, appointment, payment], db: true,  redis: true,  auth: false, web: false, egress: [443]}
{{- end -}}

{{- define "healthtech.labels" -}}
app.kubernetes.io/name: {{ .name }}-service
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: healthtech
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end -}}

{{- define "healthtech.image" -}}
{{ .root.Values.image.registry }}/{{ .root.Values.image.repository }}/{{ .name }}-service:{{ .root.Values.image.tag }}
{{- end -}}

{{- define "healthtech.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}


{{- define "healthtech.optionalSecretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      optional: true
{{- end -}}
