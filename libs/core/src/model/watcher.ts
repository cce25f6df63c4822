/** Subscription states per RFC 6665 §4.1.3 / RFC 3857 watcher status, for the readers that check one. */
export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'terminated'] as const;

/** Subscription state per RFC 6665 §4.1.3 / RFC 3857 watcher status. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A watcher of a presentity as its owner (the presence agent) records it. */
export interface WatcherRecord {
  readonly presentity: string;
  /** Stable id of the subscription dialog (Call-ID + tags, hashed by the edge). */
  readonly subscriptionId: string;
  /** Normalized AOR of the subscriber (From). */
  readonly watcher: string;
  readonly event: string;
  readonly status: SubscriptionStatus;
  /** Edge that holds the dialog and renders its NOTIFYs. */
  readonly edgeId: string;
  readonly expiresAt: number;
}
