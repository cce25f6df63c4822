import type { BusSubscription } from '../bus.js';
import { settle, type BusHandlerFn } from '../handler-runner.js';
import { AckWait } from './ack-wait.js';

/** What an IpcSubscription asks of its bus: tell the host, and forget it. */
export interface IpcSubscriptionOwner {
  unsubscribed(sid: number): void;
  /** Asks the host to drain; resolves when the host has forwarded what was routed to it (or gave no sign within the limit). */
  drainAtHost(sid: number): AckWait;
}

/** One subscription of an IpcBus; the host holds its twin on the real bus. */
export class IpcSubscription implements BusSubscription {
  closed = false;
  readonly inFlight = new Set<Promise<void>>();
  /** Set while draining: the host's `drained` frame acknowledges it. */
  pendingDrain: AckWait | undefined;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly owner: IpcSubscriptionOwner,
    readonly sid: number,
    readonly handler: BusHandlerFn,
  ) {}

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.unsubscribed(this.sid);
  }

  drain(): Promise<void> {
    if (this.closed) return this.draining ?? Promise.resolve();
    this.draining ??= (async () => {
      this.pendingDrain = this.owner.drainAtHost(this.sid);
      await this.pendingDrain.done;
      await settle(this.inFlight);
      this.closed = true;
    })();
    return this.draining;
  }
}
