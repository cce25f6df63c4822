import { ServiceUnavailableError } from '@presence/core';

/**
 * The store backend did not answer (down, unreachable, timed out, failing
 * over, loading): a temporary failure, answered 503 with Retry-After. The
 * operation may or may not have been applied when the failure came after
 * the request was sent; every presentity change is a compare-and-set, so a
 * retry is safe.
 */
export class StoreUnavailableError extends ServiceUnavailableError {
  constructor(
    readonly operation: string,
    detail: string,
    retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(`store unavailable (${operation}): ${detail}`, retryAfterSeconds, options);
  }
}
