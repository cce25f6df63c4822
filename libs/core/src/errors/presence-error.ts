/**
 * Base of every expected failure: carries the SIP status it maps to, a reason
 * phrase naming the problem, and extra response headers the RFC requires
 * (Min-Expires, Allow-Events, Accept, Retry-After...).
 */
export abstract class PresenceError extends Error {
  abstract readonly status: number;
  /** Temporary failures are answered 503 + Retry-After and may be retried. */
  readonly temporary: boolean = false;

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = new.target.name;
  }

  /** Headers to add to the error response, lower-case names. */
  headers(): Record<string, string> {
    return {};
  }
}
