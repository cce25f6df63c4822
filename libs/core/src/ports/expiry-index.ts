/** Something of a presentity that is due to expire. */
export type DueExpiry =
  | { readonly kind: 'presentity'; readonly presentity: string; readonly at: number }
  | { readonly kind: 'watcher'; readonly presentity: string; readonly subscriptionId: string; readonly at: number };

/**
 * Per-partition index of expiry times (ARCHITECTURE: "expiry indexes"), kept by
 * the stores as they write. Entries stay until the owner processes them (the
 * commit that drops expired publications reschedules or clears the entry), so a
 * worker that dies mid-sweep loses nothing.
 */
export interface ExpiryIndex {
  /** Entries with time <= now, earliest first, at most `limit`. */
  dueExpiries(partition: number, now: number, limit: number): Promise<DueExpiry[]>;
  /**
   * Presentities of the partition with an entry in its index: those with
   * publications, plus any whose last publication lapsed and whose entry the
   * owner's sweep has not committed yet. One cheap read (no walk of the index).
   */
  publishedPresentities(partition: number): Promise<number>;
}
