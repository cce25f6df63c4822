import type { PresenceMetrics } from '@presence/metrics';
import type { SipStack } from '@presence/sip';

/** Where the edge's gauges are read from: each keeps its figure up to date, so a read costs nothing. */
export interface EdgeGaugeSources {
  readonly stack: Pick<SipStack, 'stats'>;
  /** Subscription dialogs held. */
  readonly subscriptions: () => number;
  /** Location bindings registered through this edge, not lapsed. */
  readonly registeredContacts: () => number;
}

/**
 * Sets the edge's gauges from their owners at every scrape (nothing per
 * message): connections by transport, transactions, NOTIFYs awaiting their
 * answer, subscriptions by state, registered contacts. Returns the removal.
 */
export function sampleEdgeGauges(metrics: PresenceMetrics, sources: EdgeGaugeSources): () => void {
  return metrics.onRender(() => {
    const stats = sources.stack.stats();
    for (const [transport, count] of stats.connections) metrics.connections.set({ transport }, count);
    metrics.sipTransactions.set({ kind: 'server' }, stats.serverTransactions);
    metrics.sipTransactions.set({ kind: 'client' }, stats.clientTransactions);
    metrics.notifiesInFlight.set(stats.pendingRequests.get('NOTIFY') ?? 0);
    metrics.subscriptions.set({ state: 'active' }, sources.subscriptions());
    // The registry does not count dialogs by status yet: pending ones (pres-rules) are in `active`.
    metrics.subscriptions.set({ state: 'pending' }, 0);
    metrics.registeredContacts.set(sources.registeredContacts());
  });
}
