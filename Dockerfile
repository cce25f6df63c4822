# syntax=docker/dockerfile:1
# One image for every role: `docker run IMAGE edge|agent|standalone [options]`
# (`docker run IMAGE --help` lists them). The Helm chart (helm/) and
# compose.yaml run it that way.

# --- build: every dependency, dev ones included, then tsc -b --------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
# What the runtime stage needs and nothing else: the lockfile, and of each
# workspace its package.json and compiled dist/ (plus the CLI's bin/ and
# the XCAP server's XML schemas, read at start).
# npm ci needs every workspace's package.json to match the lockfile.
RUN mkdir -p /out \
 && cp package.json package-lock.json /out/ \
 && for ws in libs/* services/* loadtest; do \
      mkdir -p "/out/$ws" && cp "$ws/package.json" "/out/$ws/" \
      && if [ -d "$ws/dist" ]; then cp -r "$ws/dist" "/out/$ws/"; fi; \
    done \
 && cp -r services/cli/bin /out/services/cli/bin \
 && cp -r services/xcap/schemas /out/services/xcap/schemas \
 && find /out -name '*.tsbuildinfo' -delete

# --- runtime: production dependencies only, as a non-root user ------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# A 64 MB young-generation semi-space (Node 20 defaults to 16 MB): fewer short-lived
# objects of a NOTIFY burst promoted to the old generation; issue #17 measured +9 %
# NOTIFYs per CPU-second. Set NODE_OPTIONS in the pod to change it.
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build /out/ ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && groupadd --system --gid 10001 presence \
 && useradd --system --uid 10001 --gid presence --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin presence
# Numeric, so Kubernetes' runAsNonRoot can check it without a passwd lookup.
USER 10001:10001
# SIP over UDP and TCP, TLS, WS, WSS; /metrics, /healthz, /readyz (--http).
EXPOSE 5060/udp 5060/tcp 5061/tcp 8080/tcp 8443/tcp 9464/tcp
# No HEALTHCHECK: the --http address differs per deployment; the chart and
# compose.yaml probe /healthz and /readyz where they put it.
ENTRYPOINT ["node", "services/cli/bin/presence.js"]
CMD ["--help"]
