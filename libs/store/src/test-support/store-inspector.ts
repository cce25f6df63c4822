import type { Lease, WatcherRecord } from '@presence/core';

/**
 * Questions about a store's state that only tests ask: production never
 * needs them, so they are not on the Store. Each is answered from the data
 * the store wrote (the memory twin's tables, the Redis keys).
 */
export interface StoreInspector {
  /** Earliest time scheduled in the partition's expiry index, if any. */
  nextExpiry(partition: number): Promise<number | undefined>;
  /** The partition's lease while it is live by the store's clock. */
  leaseHolder(partition: number): Promise<Lease | undefined>;
  /**
   * Every stored watcher of the presentity, expired or not, in no particular
   * order: the store never drops a watcher, its owner does through the index.
   */
  listWatchers(presentity: string): Promise<WatcherRecord[]>;
}
