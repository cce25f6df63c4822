import { fileURLToPath } from 'node:url';
import type { Child, Children } from '../child-processes.js';
import { httpGet } from '../http-get.js';
import { sleep } from '../sleep.js';

/** The committed `presence` entry; works from src (vitest) and dist alike (same depth). */
const PRESENCE_BIN = fileURLToPath(new URL('../../../../services/cli/bin/presence.js', import.meta.url));

/**
 * The Node options every shipped launch of `presence` passes (the bin's
 * shebang, `npm start`, the image's NODE_OPTIONS; test/deploy checks they
 * agree), so what the bench measures is what operators run: a 64 MB young
 * generation semi-space, where Node 20's default 16 MB promotes the
 * short-lived objects of a NOTIFY burst into the old generation (issue #17:
 * +9 % NOTIFYs per CPU-second, lower RSS, at 2,849 PUBLISH/s × 10).
 */
export const PRESENCE_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=64']);

export type PresenceRole = 'standalone' | 'edge' | 'agent' | 'xcap';

/**
 * What tests and tools that are not about authorization pass to a standalone
 * or an agent: every watcher sees every presentity, as before pres-rules
 * (the server's own default is confirm: pending until a rule allows).
 */
export const ALLOW_EVERY_WATCHER_ARGS: readonly string[] = Object.freeze(['--default-sub-handling', 'allow']);

export interface PresenceProcess {
  readonly role: PresenceRole;
  readonly id: string;
  readonly httpUrl: string;
  readonly child: Child;
  /** Prometheus text from /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM and wait for the exit; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, nothing released. */
  kill(): Promise<void>;
}

/**
 * Runs `presence ROLE ...args --id ID --http 127.0.0.1:PORT` (built dist
 * required) and resolves once /readyz answers 200; fails with the process's
 * stderr if it exits or is not ready in time.
 */
export async function startPresenceProcess(
  children: Children,
  role: PresenceRole,
  id: string,
  httpPort: number,
  args: readonly string[],
  readyTimeoutMs = 15_000,
): Promise<PresenceProcess> {
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const child = children.spawn(process.execPath, [...PRESENCE_NODE_FLAGS, PRESENCE_BIN, role, ...args, '--id', id, '--http', `127.0.0.1:${httpPort}`]);
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exited()) throw new Error(`presence ${role} ${id} exited before it was ready:\n${child.stderr().slice(-3000)}`);
    const ready = await httpGet(`${httpUrl}/readyz`, 500).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.process.kill('SIGKILL');
      throw new Error(`presence ${role} ${id} not ready within ${readyTimeoutMs} ms:\n${child.stderr().slice(-3000)}`);
    }
    await sleep(50);
  }
  return {
    role,
    id,
    httpUrl,
    child,
    metrics: async () => (await httpGet(`${httpUrl}/metrics`)).body,
    async stop(timeoutMs = 10_000) {
      if (!child.exited()) child.process.kill('SIGTERM');
      return (await child.exit(timeoutMs)).code;
    },
    async kill() {
      if (!child.exited()) child.process.kill('SIGKILL');
      await child.exit(5000);
    },
  };
}
