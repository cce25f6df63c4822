import { ForbiddenError, ServiceUnavailableError } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { shared } from './compact-string.js';
import { Tally } from './tally.js';

/** Caps on the subscriptions this edge holds (README "Limits"); per edge, as a cluster-wide count would cost a store round trip per SUBSCRIBE. */
export interface SubscriptionLimits {
  /** Dialogs of one watcher AOR (--max-subscriptions-per-watcher). */
  readonly perWatcher: number;
  /** Dialogs created from one source IP address (--max-subscriptions-per-address). */
  readonly perAddress: number;
  /** Retry-After of the per-address 503. */
  readonly retryAfterSeconds: number;
}

export const TOO_MANY_WATCHER_SUBSCRIPTIONS = 'Too many subscriptions for this watcher';
export const TOO_MANY_ADDRESS_SUBSCRIPTIONS = 'Too many subscriptions from this address';

/**
 * Counts held dialogs per watcher and per source address, O(1) per request.
 * A dialog is counted from admission (before the agent is asked, so a burst
 * of concurrent SUBSCRIBEs cannot all slip under the cap) until it ends.
 */
export class SubscriptionCaps {
  private readonly byWatcher = new Tally();
  private readonly byAddress = new Tally();

  constructor(
    private readonly limits: SubscriptionLimits,
    private readonly metrics: PresenceMetrics,
  ) {}

  /**
   * Counts a new dialog, or refuses it. Per watcher: 403, the watcher asks
   * for more than it may and retrying will not help. Per address: 503 with
   * Retry-After, as it may be a flood, or many users behind one NAT who will
   * fit again once some subscriptions end.
   */
  admit(watcher: string, address: string): void {
    if (this.byWatcher.get(watcher) >= this.limits.perWatcher) {
      this.metrics.limitRefusals.inc({ limit: 'subscriptions_per_watcher' });
      throw new ForbiddenError(TOO_MANY_WATCHER_SUBSCRIPTIONS);
    }
    if (this.byAddress.get(address) >= this.limits.perAddress) {
      this.metrics.limitRefusals.inc({ limit: 'subscriptions_per_address' });
      throw new ServiceUnavailableError(TOO_MANY_ADDRESS_SUBSCRIPTIONS, this.limits.retryAfterSeconds);
    }
    this.count(watcher, address);
  }

  /**
   * Counts a dialog without a check: one adopted from the mirror was admitted when it was created.
   * The keys are kept shared: the watcher AOR is the text the dialog's From URI, the mirror and the
   * watcher records keep shared too, so all of them hold one copy (not a rope of slices each).
   */
  count(watcher: string, address: string): void {
    this.byWatcher.increment(shared(watcher));
    this.byAddress.increment(shared(address));
  }

  release(watcher: string, address: string): void {
    this.byWatcher.decrement(watcher);
    this.byAddress.decrement(address);
  }

  /** Watchers and addresses with a dialog here: what the maps hold. */
  get keys(): { readonly watchers: number; readonly addresses: number } {
    return { watchers: this.byWatcher.size, addresses: this.byAddress.size };
  }
}
