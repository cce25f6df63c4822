import type { WatcherRecord } from '../model/watcher.js';

/** Who watches a presentity (RFC 3857 watcher list), each entry soft state indexed for expiry. */
export interface WatcherStore {
  putWatcher(partition: number, watcher: WatcherRecord): Promise<void>;
  /** Removes and returns the watcher; undefined if it was not there. */
  removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined>;
}
