/**
 * True once a request's deadline (epoch ms, stamped by the edge as the end of
 * its wait) has passed by this host's clock. `skewMarginMs` treats requests
 * as expired that much early: the edge's clock may be ahead of ours (NTP
 * keeps the gap well under it), and applying a request the edge already
 * answered 503 is the failure this guards against, while refusing one a
 * little early only costs the edge a 503 it would nearly have given anyway.
 * No deadline (an older edge): never expired.
 */
export function deadlinePassed(deadline: number | undefined, now: number, skewMarginMs: number): boolean {
  return deadline !== undefined && now > deadline - skewMarginMs;
}

/** Thrown inside a mutation to abandon a request whose deadline passed while it queued: nothing is committed. */
export class RequestExpiredError extends Error {
  constructor() {
    // Not a PresenceError: there is no one to answer, the edge gave up on this request already.
    super('request deadline passed');
    this.name = 'RequestExpiredError';
  }
}
