import { StoreClosedError } from '../errors/store-closed-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import type { TransportedError } from './ipc-store-frames.js';

/** What crosses the process boundary of an error the real store threw: enough to rebuild the class callers test for. */
export function transportError(error: unknown): TransportedError {
  if (error instanceof StoreUnavailableError) {
    return { name: 'StoreUnavailableError', message: error.message, operation: error.operation, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * The error the worker's caller gets: the classes callers and the Store
 * contract tell apart (RangeError for bad arguments, TypeError, closed,
 * unavailable → 503) are rebuilt; any other keeps its name and message.
 */
export function rebuildError(transported: TransportedError): Error {
  switch (transported.name) {
    case 'RangeError':
      return new RangeError(transported.message);
    case 'TypeError':
      return new TypeError(transported.message);
    case 'StoreClosedError':
      return new StoreClosedError();
    case 'StoreUnavailableError':
      return new StoreUnavailableError(transported.operation ?? 'unknown', transported.message, transported.retryAfterSeconds ?? 1);
    default: {
      const error = new Error(transported.message);
      error.name = transported.name;
      return error;
    }
  }
}
