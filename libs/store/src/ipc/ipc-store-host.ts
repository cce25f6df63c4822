import type { Store } from '@presence/core';
import { STORE_OPERATIONS } from '../store-error-reporting.js';
import { transportError } from './ipc-store-errors.js';
import type { StoreChannel, StoreFrame } from './ipc-store-frames.js';
import { decodeStoreValue, encodeStoreValue } from './ipc-store-wire.js';

/** Calls a worker may make: every store operation and ping; `close` is the primary's alone. */
const SERVED: ReadonlySet<string> = new Set([...STORE_OPERATIONS.filter((operation) => operation !== 'close'), 'ping']);

/**
 * Serves one IpcStore (a worker process) from the one real store of the
 * primary. Closing the host (the worker is gone) stops answering; it never
 * closes the store.
 */
export class IpcStoreHost {
  private closed = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly store: Store,
    private readonly channel: StoreChannel,
  ) {
    this.stopListening = channel.onFrame((frame) => this.receive(frame));
  }

  close(): void {
    this.closed = true;
    this.stopListening();
  }

  private receive(frame: StoreFrame): void {
    if (frame.store !== 'call') return;
    const { id, operation, args } = frame;
    if (!SERVED.has(operation)) {
      this.answer({ store: 'failed', id, error: { name: 'TypeError', message: `store operation ${String(operation)} is not served to workers` } });
      return;
    }
    const call = this.store[operation as keyof Store] as (...values: unknown[]) => Promise<unknown>;
    let result: Promise<unknown>;
    try {
      result = call.apply(this.store, decodeStoreValue(args) as unknown[]);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => this.answer({ store: 'done', id, value: encodeStoreValue(value) }),
      (error: unknown) => this.answer({ store: 'failed', id, error: transportError(error) }),
    );
  }

  private answer(frame: StoreFrame): void {
    if (!this.closed) this.channel.send(frame);
  }
}
