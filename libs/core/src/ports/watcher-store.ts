import type { WatcherRecord } from '../model/watcher.js';

/** Who watches a presentity (RFC 3857 watcher list), each entry soft state indexed for expiry. */
export interface WatcherStore {
  /** Records or refreshes the watcher; returns the record it replaced (undefined: a new watcher, RFC 3857 event subscribe). */
  putWatcher(partition: number, watcher: WatcherRecord): Promise<WatcherRecord | undefined>;
  /** Removes and returns the watcher; undefined if it was not there. */
  removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined>;
}
