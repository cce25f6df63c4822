import type { StoreOperation } from '../store-error-reporting.js';

/**
 * What an IpcStore (in a worker process) and its IpcStoreHost (beside the
 * one real store, in the primary) say to each other: one call, one answer.
 * Store arguments and results are plain data (no Map, bytes or dates),
 * carried as text by ipc-store-wire.ts, so Node's default json IPC
 * carries the frames unchanged. Every frame carries `store`, its kind, so
 * the bus's frames and others may share the link.
 */
export type StoreFrame =
  | { readonly store: 'call'; readonly id: number; readonly operation: StoreOperation | 'ping'; readonly args: string }
  | { readonly store: 'done'; readonly id: number; readonly value: string }
  | { readonly store: 'failed'; readonly id: number; readonly error: TransportedError };

/** An error thrown by the real store, as the worker rebuilds it (see ipc-store-errors.ts). */
export interface TransportedError {
  readonly name: string;
  readonly message: string;
  /** StoreUnavailableError: its operation and Retry-After. */
  readonly operation?: string;
  readonly retryAfterSeconds?: number;
}

/** The link an IpcStore and its host talk over (the bus package's IpcChannel fits it). */
export interface StoreChannel {
  send(frame: StoreFrame): void;
  onFrame(listener: (frame: StoreFrame) => void): () => void;
}

const KINDS: ReadonlySet<string> = new Set(['call', 'done', 'failed']);

export function isStoreFrame(value: unknown): value is StoreFrame {
  return typeof value === 'object' && value !== null && KINDS.has((value as { store?: unknown }).store as string);
}
