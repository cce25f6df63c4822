import type { Subscription } from 'nats';
import type { BusMessage, BusSubscription } from '../bus.js';
import { settle } from '../handler-runner.js';

export type BusHandler = (message: BusMessage) => void | Promise<void>;

/** Where a subscription is registered, so it can take itself out. */
export interface SubscriptionRegistry {
  remove(subscription: NatsBusSubscription): void;
  /** Sends the messages still held back, so an UNSUB reaches the server after them. */
  flushOutbox(): void;
}

/** One subscription of a NatsBus, wrapping the nats.js subscription. */
export class NatsBusSubscription implements BusSubscription {
  /** Set by unsubscribe(): deliveries still arriving are dropped. */
  closed = false;
  /** Set once the bus assigns the nats.js subscription (right after creating this record). */
  sub: Subscription | undefined;
  /** Its handlers still running, for drain(). */
  readonly inFlight = new Set<Promise<void>>();
  private draining: Promise<void> | undefined;

  constructor(
    private readonly registry: SubscriptionRegistry,
    readonly pattern: string,
    readonly queue: string | undefined,
    readonly handler: BusHandler,
  ) {}

  unsubscribe(): void {
    if (this.closed) return;
    this.registry.remove(this);
    this.close();
  }

  /** Stops deliveries to the handler, and interest at the server unless already gone. */
  close(): void {
    this.closed = true;
    const sub = this.sub;
    if (sub === undefined || sub.isClosed()) return;
    this.registry.flushOutbox();
    try {
      sub.unsubscribe();
    } catch {
      // The connection is closed already: nothing left to stop.
    }
  }

  /** BusSubscription.drain(): server-side drain, then this subscription's handlers settle. */
  drain(): Promise<void> {
    if (this.closed) return this.draining ?? Promise.resolve();
    this.draining ??= (async () => {
      await this.drainAtServer();
      await settle(this.inFlight);
      this.registry.remove(this);
      this.closed = true;
    })();
    return this.draining;
  }

  /**
   * Stops interest at the server and resolves once every message the server
   * sent before that has been handed to the handler (nats.js drain: UNSUB,
   * then a PING/PONG round trip). Never rejects.
   */
  async drainAtServer(): Promise<void> {
    const sub = this.sub;
    if (this.closed || sub === undefined || sub.isClosed()) return;
    this.registry.flushOutbox();
    try {
      await sub.drain();
    } catch {
      // Closed connection or subscription: nothing left to drain.
    }
  }
}
