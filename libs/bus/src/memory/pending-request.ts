import { BusClosedError, BusTimeoutError } from '../errors/bus-errors.js';

/** A request waiting for its first reply (bytes, or what an in-process bus hands over); settles exactly once. */
export class PendingRequest<R = Uint8Array> {
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly owner: Set<PendingRequest<R>>,
    readonly subject: string,
    private readonly resolve: (reply: R) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** Starts the timeout; call once the request has been handed to at least one subscriber. */
  start(timeoutMs: number): void {
    this.owner.add(this);
    this.timer = setTimeout(() => this.fail(new BusTimeoutError(this.subject, timeoutMs)), timeoutMs);
  }

  /** The first reply wins; later ones are ignored. */
  answer(reply: R): void {
    if (this.settled) return;
    this.finish();
    this.resolve(reply);
  }

  /** Rejects because the bus closed before anyone answered. */
  abandon(): void {
    this.fail(new BusClosedError());
  }

  /** Rejects with `error` unless already settled (a bus relaying another process's refusal). */
  fail(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.owner.delete(this);
  }
}
