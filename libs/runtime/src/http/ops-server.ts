import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PresenceMetrics } from '@presence/metrics';

export interface HealthSource {
  /** The process works (event loop alive, not shutting down). */
  live(): boolean;
  /** The process should receive traffic (started, dependencies answering). */
  ready(): Promise<boolean>;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves /metrics, /healthz and /readyz for Prometheus and Kubernetes probes. */
export async function startOpsServer(options: { host: string; port: number; metrics: PresenceMetrics; health: HealthSource }): Promise<OpsServer> {
  const { metrics, health } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed: use GET\n');
    if (path === '/metrics') {
      metrics.render().then(
        (text) => reply(200, text, metrics.contentType),
        (error: unknown) => reply(500, `metrics failed: ${String(error)}\n`),
      );
    } else if (path === '/healthz') {
      const live = health.live();
      reply(live ? 200 : 503, live ? 'ok\n' : 'shutting down\n');
    } else if (path === '/readyz') {
      health.ready().then(
        (ready) => reply(ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n'),
        () => reply(503, 'not ready\n'),
      );
    } else {
      reply(404, 'not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot listen for HTTP on ${options.host}:${options.port}: ${error.message}`, { cause: error })));
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
