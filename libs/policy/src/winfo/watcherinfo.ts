/** RFC 3857 §3.2.4 / RFC 3858 §4: where a watcher's subscription stands. */
export type WatcherStatus = 'pending' | 'active' | 'waiting' | 'terminated';

export const WATCHER_STATUSES: readonly WatcherStatus[] = Object.freeze(['pending', 'active', 'waiting', 'terminated']);

/** RFC 3857 §3.2.4: the event that moved the subscription into its status. */
export type WatcherEvent = 'subscribe' | 'approved' | 'deactivated' | 'probation' | 'rejected' | 'timeout' | 'giveup' | 'noresource';

export const WATCHER_EVENTS: readonly WatcherEvent[] = Object.freeze(['subscribe', 'approved', 'deactivated', 'probation', 'rejected', 'timeout', 'giveup', 'noresource']);

/** One <watcher>: a subscription to the resource, identified by `id` across notifications. */
export interface WatcherEntry {
  readonly id: string;
  readonly status: WatcherStatus;
  readonly event: WatcherEvent;
  /** The watcher's URI, the element's content. */
  readonly uri: string;
  readonly displayName?: string;
  /** Seconds the subscription has existed. */
  readonly durationSubscribed?: number;
  /** Seconds until the subscription expires. */
  readonly expiration?: number;
  readonly lang?: string;
}

/** One <watcher-list>: the watchers of one resource for one event package. */
export interface WatcherList {
  readonly resource: string;
  readonly package: string;
  readonly watchers: readonly WatcherEntry[];
}

/**
 * An application/watcherinfo+xml document (RFC 3858 §4). `full` carries
 * every watcher; `partial` only the ones that changed since version - 1.
 */
export interface WatcherInfo {
  readonly version: number;
  readonly state: 'full' | 'partial';
  readonly lists: readonly WatcherList[];
}

export const WATCHERINFO_CONTENT_TYPE = 'application/watcherinfo+xml';
