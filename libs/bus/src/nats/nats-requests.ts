import { createInbox, type Msg } from 'nats';
import { BusTimeoutError, NoRespondersError } from '../errors/bus-errors.js';

/** The status NATS sends in place of a reply when no subscriber took the request (headers only, no payload). */
const NO_RESPONDERS_STATUS = 503;

interface PendingRequest {
  readonly subject: string;
  readonly resolve: (data: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The requests of a NatsBus that wait for their first reply, over one
 * wildcard inbox subscription (`<inbox>.*`, one token per request), as
 * nats.js muxes them, but without its per-request cost: nats.js ends every
 * answered request by building a NatsError (stack included) to reject a
 * promise already settled, and races a timer promise per request; that was
 * 3.6 % of an edge's CPU. Here an answer clears one timer and settles one
 * promise.
 *
 * Outcomes: the first reply resolves (later ones find nothing and are
 * dropped); NATS's no-responders status (503, no payload) rejects with
 * NoRespondersError; the timer with BusTimeoutError; failAll() ends the
 * rest with whatever error the bus gives (closed, refused).
 */
export class NatsRequests {
  /** The pattern to subscribe to. */
  readonly inboxPattern: string;
  private readonly replyPrefix: string;
  private nextToken = 0;
  private readonly pending = new Map<string, PendingRequest>();

  constructor(inbox: string = createInbox()) {
    this.replyPrefix = `${inbox}.`;
    this.inboxPattern = `${inbox}.*`;
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Registers a request waiting up to `timerMs` for its reply (`timeoutMs`
   * is the figure its BusTimeoutError names). Returns the reply subject to
   * send it with and its outcome.
   */
  open(subject: string, timeoutMs: number, timerMs: number): { reply: string; outcome: Promise<Uint8Array> } {
    const token = (this.nextToken++).toString(36);
    let request: PendingRequest | undefined;
    const outcome = new Promise<Uint8Array>((resolve, reject) => {
      request = { subject, resolve, reject, timer: undefined };
    });
    const opened = request!;
    opened.timer = setTimeout(() => {
      this.pending.delete(token);
      opened.reject(new BusTimeoutError(subject, timeoutMs));
    }, timerMs);
    this.pending.set(token, opened);
    return { reply: this.replyPrefix + token, outcome };
  }

  /** A message on the inbox: the reply to one request, or NATS's word that nobody took it. */
  deliver(msg: Msg): void {
    const request = this.take(msg.subject);
    if (request === undefined) return;
    if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS_STATUS) request.reject(new NoRespondersError(request.subject));
    else request.resolve(Uint8Array.from(msg.data));
  }

  /** Ends the request sent with `reply` with `error`; false when it is not waiting (any more). */
  fail(reply: string, error: Error): boolean {
    const request = this.take(reply);
    request?.reject(error);
    return request !== undefined;
  }

  /** Ends every request still waiting. */
  failAll(error: () => Error): void {
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) {
      clearTimeout(request.timer);
      request.reject(error());
    }
  }

  private take(reply: string): PendingRequest | undefined {
    if (!reply.startsWith(this.replyPrefix)) return undefined;
    const token = reply.slice(this.replyPrefix.length);
    const request = this.pending.get(token);
    if (request === undefined) return undefined;
    this.pending.delete(token);
    clearTimeout(request.timer);
    return request;
  }
}
