import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PresenceMetrics } from '@presence/metrics';
import { productVersion } from '../config/product.js';
import { answerAdmin, type AdminMount } from './admin-route.js';

export interface HealthSource {
  /** The process works (event loop alive, not shutting down). */
  live(): boolean;
  /** The process should receive traffic (started, dependencies answering). */
  ready(): Promise<boolean>;
}

/** Who answers: reported by /healthz, so a probe or an operator sees which process and release it reached. */
export interface ProcessAbout {
  readonly role: string;
  readonly id: string;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: PresenceMetrics;
  readonly health: HealthSource;
  readonly about: ProcessAbout;
  /** The admin API under /admin/v1/; absent: /admin/ answers 404. */
  readonly admin?: AdminMount;
}

/** Serves /metrics, /healthz and /readyz for Prometheus and Kubernetes probes, and the admin API for `presence ctl`. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { metrics, health, about, admin } = options;
  const version = productVersion();
  let boundAddress = options.host;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/admin' || path.startsWith('/admin/')) {
      answerAdmin(admin, req, boundAddress).then(
        (answer) => replyJson(res, answer.status, answer.body),
        (error: unknown) => replyJson(res, 500, { error: String(error) }),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed: use GET\n');
    if (path === '/metrics') {
      metrics.render().then(
        (text) => reply(200, text, metrics.contentType),
        (error: unknown) => reply(500, `metrics failed: ${String(error)}\n`),
      );
    } else if (path === '/healthz') {
      const live = health.live();
      replyJson(res, live ? 200 : 503, { status: live ? 'ok' : 'shutting down', version, role: about.role, id: about.id, pid: process.pid });
    } else if (path === '/readyz') {
      health.ready().then(
        (ready) => reply(ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n'),
        () => reply(503, 'not ready\n'),
      );
    } else {
      reply(404, 'not found: try /metrics, /healthz, /readyz or /admin/v1/\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot listen for HTTP on ${options.host}:${options.port}: ${error.message}`, { cause: error })));
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  boundAddress = address.address;
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

function replyJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="presence-admin"';
  res.writeHead(status, headers);
  res.end(`${JSON.stringify(body)}\n`);
}
