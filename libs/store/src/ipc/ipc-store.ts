import type { Store } from '@presence/core';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import { STORE_OPERATIONS, type StoreOperation } from '../store-error-reporting.js';
import { rebuildError } from './ipc-store-errors.js';
import type { StoreChannel, StoreFrame } from './ipc-store-frames.js';
import { decodeStoreValue, encodeStoreValue } from './ipc-store-wire.js';

export interface IpcStoreOptions {
  /** A call the primary has not answered within this is failed as unavailable (503 with Retry-After), default 10 s. */
  readonly callTimeoutMs?: number;
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The Store of a worker process when the one real store (a MemoryStore)
 * lives in the primary: every call is a frame to an IpcStoreHost and its
 * answer. Errors come back as the classes callers tell apart (see
 * ipc-store-errors.ts). A call unanswered within `callTimeoutMs` (the
 * primary gone or stuck) fails with StoreUnavailableError, as a Redis
 * store's would. close() stops this worker's calls only and waits for
 * those in flight; the primary closes the real store.
 */
export function createIpcStore(channel: StoreChannel, options: IpcStoreOptions = {}): Store {
  const callTimeoutMs = options.callTimeoutMs ?? 10_000;
  const pending = new Map<number, PendingCall>();
  const inFlight = new Set<Promise<unknown>>();
  let nextId = 1;
  let closed = false;

  const stopListening = channel.onFrame((frame: StoreFrame) => {
    if (frame.store === 'call') return;
    const call = pending.get(frame.id);
    if (call === undefined) return;
    pending.delete(frame.id);
    clearTimeout(call.timer);
    if (frame.store === 'done') call.resolve(decodeStoreValue(frame.value));
    else call.reject(rebuildError(frame.error));
  });

  const call = (operation: StoreOperation | 'ping', args: unknown[]): Promise<unknown> => {
    if (closed) return Promise.reject(new StoreClosedError());
    const id = nextId++;
    const answer = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new StoreUnavailableError(operation, `the primary process did not answer within ${callTimeoutMs} ms`, 1));
      }, callTimeoutMs);
      pending.set(id, { resolve, reject, timer });
      channel.send({ store: 'call', id, operation, args: encodeStoreValue(args) });
    });
    const settled: Promise<unknown> = answer.then(
      (): boolean => inFlight.delete(settled),
      (): boolean => inFlight.delete(settled),
    );
    inFlight.add(settled);
    return answer;
  };

  const store: Record<string, unknown> = {
    ping: async () => {
      try {
        return (await call('ping', [])) === true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([...inFlight]);
      stopListening();
    },
  };
  for (const operation of STORE_OPERATIONS) {
    if (operation !== 'close') store[operation] = (...args: unknown[]) => call(operation, args);
  }
  return store as unknown as Store;
}
