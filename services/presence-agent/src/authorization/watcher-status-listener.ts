import type { WatcherRecord } from '@presence/core';
import type { WatcherEvent } from '@presence/policy';

/** One watcher's status moved (RFC 3857 §3.2.4): the record before (undefined: new) and after (undefined: gone), and the event. */
export interface WatcherStatusChange {
  readonly before: WatcherRecord | undefined;
  readonly after: WatcherRecord | undefined;
  readonly event: WatcherEvent;
}

/**
 * Who hears of watcher status changes the agent decides (a new watcher,
 * approved, rejected, deactivated): the seam for watcher information
 * (presence.winfo, RFC 3857): the agent's WatcherInfoFeed. Called after the store holds the change;
 * must not throw.
 */
export interface WatcherStatusListener {
  onWatcherStatus(change: WatcherStatusChange): void;
}
