{{/* Names: the usual rule, so several releases can live in one namespace. */}}
{{- define "presence.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "presence.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of one role's objects: (dict "root" $ "component" "edge"). */}}
{{- define "presence.componentName" -}}
{{- printf "%s-%s" (include "presence.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "presence.selectorLabels" -}}
app.kubernetes.io/name: {{ include "presence.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{/* (dict "root" $ "component" "edge"|"agent"|"xcap"|"") */}}
{{- define "presence.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "presence.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "presence.name" .root }}
{{- end }}

{{- define "presence.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "presence.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "presence.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret with nats-url, redis-url, nonce-key and admin-token: ours or the user's. */}}
{{- define "presence.secretName" -}}
{{- default (include "presence.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
A random secret value kept across upgrades: the one under .key in .existing
(the data of the release's Secret already in the cluster), else a new one of
.length characters: (dict "existing" $data "key" "nonce-key" "length" 64).
*/}}
{{- define "presence.keptRandom" -}}
{{- if hasKey .existing .key }}
{{- index .existing .key | b64dec }}
{{- else }}
{{- randAlphaNum .length }}
{{- end }}
{{- end }}

{{/*
The admin API token (admin.enabled) of edges and agents: its volume, its
read-only mount and the option naming the file. Without it their admin API is
off, as the pods bind 0.0.0.0.
*/}}
{{- define "presence.adminTokenVolume" -}}
- name: admin
  secret:
    secretName: {{ include "presence.secretName" . }}
    items:
      - key: admin-token
        path: admin-token
{{- end }}

{{- define "presence.adminTokenMount" -}}
- name: admin
  mountPath: /etc/presence/admin
  readOnly: true
{{- end }}

{{- define "presence.adminTokenArgs" -}}
- --admin-token-file
- /etc/presence/admin/admin-token
{{- end }}

{{- define "presence.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "presence.fullname" .)) .Values.tls.existingSecret }}
{{- end }}

{{/*
A subchart's full name by the rule the upstream nats and redis charts follow,
so the roles find their Services: (dict "root" $ "chart" "nats").
*/}}
{{- define "presence.subchartFullname" -}}
{{- $values := index .root.Values .chart }}
{{- if $values.fullnameOverride }}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .chart $values.nameOverride }}
{{- if contains $name .root.Release.Name }}
{{- .root.Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .root.Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The environment every role shares: its pod's name and IP (for --id and
--advertised-host), and the NATS and Redis URLs. Those come from the Secret
(they may carry credentials), or point at the subcharts' Services; the Redis
subchart's generated password is put into the URL by Kubernetes' $(VAR)
expansion, so it never appears in the pod spec.
*/}}
{{- define "presence.env" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- if .Values.nats.enabled }}
- name: PRESENCE_NATS
  value: {{ printf "nats://%s.%s.svc:4222" (include "presence.subchartFullname" (dict "root" . "chart" "nats")) .Release.Namespace | quote }}
{{- else }}
- name: PRESENCE_NATS
  valueFrom:
    secretKeyRef:
      name: {{ include "presence.secretName" . }}
      key: nats-url
{{- end }}
{{- if .Values.redis.enabled }}
{{- $redis := include "presence.subchartFullname" (dict "root" . "chart" "redis") }}
{{- $host := printf "%s-master.%s.svc:6379" $redis .Release.Namespace }}
{{- if .Values.redis.auth.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ default $redis .Values.redis.auth.existingSecret }}
      key: {{ default "redis-password" .Values.redis.auth.existingSecretPasswordKey }}
- name: PRESENCE_REDIS
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s" $host | quote }}
{{- else }}
- name: PRESENCE_REDIS
  value: {{ printf "redis://%s" $host | quote }}
{{- end }}
{{- else }}
- name: PRESENCE_REDIS
  valueFrom:
    secretKeyRef:
      name: {{ include "presence.secretName" . }}
      key: redis-url
{{- end }}
{{- end }}

{{/* --http and --id, the same for every role. */}}
{{- define "presence.processArgs" -}}
- --http
- {{ printf "0.0.0.0:%d" (int .Values.http.port) | quote }}
- --id
- $(POD_NAME)
{{- end }}

{{/* A restart when the shared settings or the secrets this chart makes change. */}}
{{- define "presence.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* Pod-level settings every role shares: (dict "root" $ "role" .Values.edge "component" "edge"). */}}
{{- define "presence.podSpecCommon" -}}
serviceAccountName: {{ include "presence.serviceAccountName" .root }}
automountServiceAccountToken: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .role.terminationGracePeriodSeconds }}
{{- with .role.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .role.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .role.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
topologySpreadConstraints:
{{- if .role.topologySpreadConstraints }}
  {{- toYaml .role.topologySpreadConstraints | nindent 2 }}
{{- else }}
  {{- /* One zone or node going away takes as few of a role's pods as it can. */}}
  {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "presence.selectorLabels" (dict "root" $.root "component" $.component) | nindent 8 }}
  {{- end }}
{{- end }}
volumes:
  {{- /* The root filesystem is read-only; Node and its libraries may still want a scratch /tmp. */}}
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end }}

{{/* Container settings every role shares: (dict "root" $ "role" .Values.edge). */}}
{{- define "presence.containerCommon" -}}
image: {{ include "presence.image" .root | quote }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.containerSecurityContext | nindent 2 }}
envFrom:
  - configMapRef:
      name: {{ include "presence.fullname" .root }}
env:
  {{- include "presence.env" .root | nindent 2 }}
resources:
  {{- toYaml .role.resources | nindent 2 }}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ .root.Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .root.Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ .root.Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .root.Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .root.Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: {{ .root.Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .root.Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .root.Values.probes.readiness.failureThreshold }}
{{- end }}

{{/* The HTTP port every role serves /metrics and the probes on. */}}
{{- define "presence.httpContainerPort" -}}
- name: http
  containerPort: {{ .Values.http.port }}
  protocol: TCP
{{- end }}

{{/* auth.realms as --realm wants it: domain=realm,... (sorted, so renders are stable). */}}
{{- define "presence.realmList" -}}
{{- $pairs := list }}
{{- range $domain := keys . | sortAlpha }}
{{- $pairs = append $pairs (printf "%s=%s" $domain (index $ $domain)) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}
