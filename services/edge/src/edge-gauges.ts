import type { PresenceMetrics } from '@presence/metrics';
import type { SipStack } from '@presence/sip';

/** Where the edge's gauges are read from: each keeps its figure up to date, so a read costs nothing. */
export interface EdgeGaugeSources {
  readonly stack: Pick<SipStack, 'stats'>;
  /** Subscription dialogs held, whatever their state. */
  readonly subscriptions: () => number;
  /** Of those, the ones pending (RFC 6665 §4.1.3: awaiting the presentity's authorization). */
  readonly pendingSubscriptions: () => number;
  /** Location bindings registered through this edge, not lapsed. */
  readonly registeredContacts: () => number;
  /** Members of the resource list subscriptions held (one per list and member). */
  readonly listMembers?: () => number;
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
    const pending = sources.pendingSubscriptions();
    metrics.subscriptions.set({ state: 'active' }, sources.subscriptions() - pending);
    metrics.subscriptions.set({ state: 'pending' }, pending);
    metrics.registeredContacts.set(sources.registeredContacts());
    if (sources.listMembers !== undefined) metrics.listMembers.set(sources.listMembers());
  });
}
