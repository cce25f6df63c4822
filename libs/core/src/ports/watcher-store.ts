import type { PresentityState } from '../model/presentity-state.js';
import type { WatcherRecord } from '../model/watcher.js';

/** What putWatcherAndLoad did: the record it replaced, and the presentity's state as it stood right after the put. */
export interface WatcherPut {
  readonly previous: WatcherRecord | undefined;
  readonly state: PresentityState;
}

/** Who watches a presentity (RFC 3857 watcher list), each entry soft state indexed for expiry. */
export interface WatcherStore {
  /** Records or refreshes the watcher; returns the record it replaced (undefined: a new watcher, RFC 3857 event subscribe). */
  putWatcher(partition: number, watcher: WatcherRecord): Promise<WatcherRecord | undefined>;
  /**
   * putWatcher, then loadPresentity of the watcher's presentity, as one step
   * (a subscription's answer carries the state): where the store allows, one
   * round trip, the state read with the write.
   */
  putWatcherAndLoad(partition: number, watcher: WatcherRecord): Promise<WatcherPut>;
  /** Removes and returns the watcher; undefined if it was not there. */
  removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined>;
}
