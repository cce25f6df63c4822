/** Nobody listens on the subject (partition moving, agent down): distinct from a timeout. */
export class NoRespondersError extends Error {
  constructor(readonly subject: string) {
    super(`no responders for ${subject}`);
    this.name = 'NoRespondersError';
  }
}

export class BusTimeoutError extends Error {
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply on ${subject} within ${timeoutMs} ms`);
    this.name = 'BusTimeoutError';
  }
}

export class BusClosedError extends Error {
  constructor() {
    super('bus is closed');
    this.name = 'BusClosedError';
  }
}

/**
 * The transport failed or refused an operation for a reason other than the
 * ones above: cannot connect, payload over the server's limit, permission
 * denied. The reason is the transport's message; its error object is not
 * passed on, so callers never depend on the transport library.
 */
export class BusTransportError extends Error {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`bus ${operation} failed: ${reason}`);
    this.name = 'BusTransportError';
  }
}
