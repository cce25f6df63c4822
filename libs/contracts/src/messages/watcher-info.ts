import type { SubscriptionStatus } from '@presence/core';

/** RFC 3857 §3.2.4: the event that moved a watcher's subscription into its status. */
export const WINFO_EVENTS = ['subscribe', 'approved', 'deactivated', 'probation', 'rejected', 'timeout', 'giveup', 'noresource'] as const;

export type WinfoEvent = (typeof WINFO_EVENTS)[number];

/** One watcher of a presentity as the agent reports it to winfo subscribers (RFC 3858 <watcher>). */
export interface WinfoWatcher {
  /** The subscription id: stable across notifications, as RFC 3858 §4.3 wants of `id`. */
  readonly id: string;
  /** The watcher's AOR. */
  readonly watcher: string;
  readonly status: SubscriptionStatus;
  readonly event: WinfoEvent;
  /** Epoch ms the subscription lapses (0 once terminated). */
  readonly expiresAt: number;
}

/**
 * Where a presentity's watcher feed stands. `epoch` names the agent process
 * that counts (a new owner counts anew); `seq` is the number of its latest
 * event for this presentity (0: none yet).
 */
export interface WinfoFeedPosition {
  readonly epoch: string;
  readonly seq: number;
}

/** The presentity's watcher list for a presence.winfo subscription (RFC 3857 §3.2.3 full state), bounded by `limit`. */
export interface WatchersCommand {
  readonly v: 1;
  readonly type: 'watchers';
  readonly presentity: string;
  readonly limit: number;
  readonly deadline?: number;
}

export interface WatchersReply {
  readonly v: 1;
  readonly type: 'watchers';
  readonly presentity: string;
  /** Every event up to this position is reflected in `watchers`. */
  readonly feed: WinfoFeedPosition;
  readonly watchers: readonly WinfoWatcher[];
}

/**
 * One watcher change of a presentity, on `Subjects.watcherInfo(...)`.
 * `previous` is the seq of the event before it for this presentity (0 when
 * the agent knows of none): an edge whose position is not `previous` missed
 * something and asks for the full list again.
 */
export interface WatcherInfoEvent {
  readonly v: 1;
  readonly type: 'watcher-info';
  readonly presentity: string;
  readonly feed: WinfoFeedPosition & { readonly previous: number };
  readonly watcher: WinfoWatcher;
}
