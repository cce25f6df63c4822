import type { MetricsSnapshot } from '@presence/metrics';
import type { BoundListener } from '@presence/sip';

/**
 * What the primary of a standalone server and its edge workers say to each
 * other besides the bus's and the store's frames, on the same node:cluster
 * IPC link (json serialization; datagrams as base64). Every frame carries
 * `worker`, its kind, so the others' frames never reach it.
 */
export type WorkerFrame =
  /** Worker -> primary: the edge listens. */
  | { readonly worker: 'ready'; readonly listeners: readonly BoundListener[] }
  /** Worker -> primary: the edge could not start (the worker exits). */
  | { readonly worker: 'failed'; readonly reason: string }
  /** Both ways: a UDP datagram read by one worker for its owner, relayed through the primary. */
  | { readonly worker: 'datagram'; readonly owner: number; readonly listener: number; readonly address: string; readonly port: number; readonly data: string }
  /** Primary -> worker: drain the edge and exit. */
  | { readonly worker: 'stop' }
  /** Primary -> worker: SIGHUP reached the primary; reload what the worker holds (certificate, log level). */
  | { readonly worker: 'reload'; readonly id: number }
  | { readonly worker: 'reloaded'; readonly id: number; readonly problem?: string }
  /** Primary -> worker: a scrape of /metrics wants this worker's part. */
  | { readonly worker: 'metrics'; readonly id: number }
  | { readonly worker: 'metrics-answer'; readonly id: number; readonly snapshot: MetricsSnapshot };

const KINDS: ReadonlySet<string> = new Set(['ready', 'failed', 'datagram', 'stop', 'reload', 'reloaded', 'metrics', 'metrics-answer']);

export function isWorkerFrame(value: unknown): value is WorkerFrame {
  return typeof value === 'object' && value !== null && KINDS.has((value as { worker?: unknown }).worker as string);
}

/** The environment a worker process is forked with: which one it is, of how many. */
export const WORKER_INDEX_ENV = 'PRESENCE_WORKER_INDEX';
export const WORKER_COUNT_ENV = 'PRESENCE_WORKER_COUNT';

/**
 * Datagrams relayed and not yet written to the IPC pipe, per link; past it
 * one more is dropped (UDP: the sender retransmits), so a stalled worker
 * never makes its peers' memory grow.
 */
export const MAX_RELAYS_IN_FLIGHT = 1024;

/** The edge id of worker `index`: its own, so bus subjects for it (MESSAGE to a flow it holds, authorization changes) reach it. */
export function workerEdgeId(edgeId: string, index: number): string {
  return `${edgeId}-w${index}`;
}
