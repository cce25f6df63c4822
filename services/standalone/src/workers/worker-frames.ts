import type { MetricsSnapshot } from '@presence/metrics';
import type { BoundListener } from '@presence/sip';

/**
 * What the primary of a standalone server and its edge workers say to each
 * other besides the bus's and the store's frames, on the same node:cluster
 * IPC link (json serialization). Every frame carries `worker`, its kind, so
 * the others' frames never reach it. Datagrams for another worker do not
 * come this way: they go straight to it (datagram-relay.ts).
 */
export type WorkerFrame =
  /** Worker -> primary: the edge listens; its datagram relay is on 127.0.0.1:relayPort. */
  | { readonly worker: 'ready'; readonly listeners: readonly BoundListener[]; readonly relayPort: number }
  /** Worker -> primary: the edge could not start (the worker exits). */
  | { readonly worker: 'failed'; readonly reason: string }
  /** Primary -> worker, after every change: each worker's relay port by index (0: that worker is down). */
  | { readonly worker: 'peers'; readonly relayPorts: readonly number[] }
  /** Primary -> worker: drain the edge and exit. */
  | { readonly worker: 'stop' }
  /** Primary -> worker: SIGHUP reached the primary; reload what the worker holds (certificate, log level). */
  | { readonly worker: 'reload'; readonly id: number }
  | { readonly worker: 'reloaded'; readonly id: number; readonly problem?: string }
  /** Primary -> worker: a scrape of /metrics wants this worker's part. */
  | { readonly worker: 'metrics'; readonly id: number }
  | { readonly worker: 'metrics-answer'; readonly id: number; readonly snapshot: MetricsSnapshot };

const KINDS: ReadonlySet<string> = new Set(['ready', 'failed', 'peers', 'stop', 'reload', 'reloaded', 'metrics', 'metrics-answer']);

export function isWorkerFrame(value: unknown): value is WorkerFrame {
  return typeof value === 'object' && value !== null && KINDS.has((value as { worker?: unknown }).worker as string);
}

/** The environment a worker process is forked with: which one it is, of how many. */
export const WORKER_INDEX_ENV = 'PRESENCE_WORKER_INDEX';
export const WORKER_COUNT_ENV = 'PRESENCE_WORKER_COUNT';
/** The key (hex) every datagram relay frame of this server starts with. */
export const WORKER_RELAY_KEY_ENV = 'PRESENCE_WORKER_RELAY_KEY';

/** The edge id of worker `index`: its own, so bus subjects for it (MESSAGE to a flow it holds, authorization changes) reach it. */
export function workerEdgeId(edgeId: string, index: number): string {
  return `${edgeId}-w${index}`;
}
