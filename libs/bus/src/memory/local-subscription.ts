import type { BusMessage, BusSubscription } from '../bus.js';
import { settle } from '../handler-runner.js';

export type BusHandler = (message: BusMessage) => void | Promise<void>;

/** Where a subscription is registered, so it can take itself out. */
export interface SubscriptionRegistry {
  remove(subscription: LocalSubscription): void;
  /** Resolves once no delivery to the subscription is queued any more. */
  delivered(subscription: LocalSubscription): Promise<void>;
}

/** One subscription of a LocalBus: a plain record, no closures. */
export class LocalSubscription implements BusSubscription {
  /** Set by unsubscribe(): queued deliveries to it are dropped. */
  closed = false;
  /** Sequence number of the last time a queue group picked it (least recently picked goes next). */
  lastPicked = 0;
  /** Its handlers still running, for drain(). */
  readonly inFlight = new Set<Promise<void>>();
  private draining: Promise<void> | undefined;

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

  drain(): Promise<void> {
    if (this.closed) return this.draining ?? Promise.resolve();
    this.draining ??= (async () => {
      this.registry.remove(this);
      await this.registry.delivered(this);
      await settle(this.inFlight);
      this.closed = true;
    })();
    return this.draining;
  }
}
