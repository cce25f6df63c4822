import type { BusMessage, BusSubscription } from '../bus.js';

export type BusHandler = (message: BusMessage) => void | Promise<void>;

/** Where a subscription is registered, so it can take itself out. */
export interface SubscriptionRegistry {
  remove(subscription: LocalSubscription): void;
}

/** One subscription of a LocalBus: a plain record, no closures. */
export class LocalSubscription implements BusSubscription {
  /** Set by unsubscribe(): queued deliveries to it are dropped. */
  closed = false;
  /** Sequence number of the last time a queue group picked it (least recently picked goes next). */
  lastPicked = 0;

  constructor(
    private readonly registry: SubscriptionRegistry,
    readonly pattern: string,
    /** Tokens of a wildcard pattern; undefined for a literal subject. */
    readonly tokens: readonly string[] | undefined,
    readonly queue: string | undefined,
    readonly handler: BusHandler,
  ) {}

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.registry.remove(this);
  }
}
