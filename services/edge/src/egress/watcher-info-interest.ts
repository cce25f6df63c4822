import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import { decodeWatcherInfoEvent, type Subjects, type WatcherInfoEvent, type WatchersReply, type WinfoFeedPosition, type WinfoWatcher } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import type { Logger } from '@presence/runtime';

/** Where full watcher lists come from (the presentity's agent). */
export interface WatcherListSource {
  watchers(presentity: string, limit: number): Promise<WatchersReply>;
}

/** Who hears that a presentity's watcher list changed here (the subscriptions holding its winfo dialogs). */
export interface WatcherInfoDelegate {
  onPackageChanged(eventPackage: string, presentity: string): void;
}

export const WINFO_PACKAGE = 'presence.winfo';

/** Events kept per presentity for partial NOTIFYs; a dialog further behind gets full state. */
const LOG_LIMIT = 256;
/** Events held while the first full list is on its way; more mean a re-fetch. */
const EARLY_LIMIT = 64;

/** One presentity's watcher list as this edge follows it. */
export interface FollowedWatchers {
  holders: number;
  readonly subscription: BusSubscription;
  /** Undefined until the first full list arrived. */
  position: WinfoFeedPosition | undefined;
  /** The live watchers, by subscription id. */
  readonly watchers: Map<string, WinfoWatcher>;
  /** Bumped whenever a full list replaced what was known: a dialog that saw an older one gets full state. */
  generation: number;
  /** Feed position the log starts after: a dialog that sent at or after it can be brought up to date from the log. */
  logBase: number;
  readonly log: { readonly seq: number; readonly watcher: WinfoWatcher }[];
  early: WatcherInfoEvent[];
  refetching: boolean;
}

/**
 * This edge's interest in presentities' watcher lists (RFC 3857 watcher
 * information): one bus subscription to `pw.<p>.<token>` per presentity
 * with a winfo dialog here, the list itself and the recent events, so
 * NOTIFYs render from memory. An event that does not follow the position
 * held (lost message, new owner, events evicted at the agent) makes it ask
 * the agent for the full list again; so does a bus reconnect.
 */
export class WatcherInfoInterest {
  delegate: WatcherInfoDelegate | undefined;
  private readonly followed = new Map<string, FollowedWatchers>();
  private stopped = false;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly partitionCount: number,
    private readonly source: WatcherListSource,
    /** Most watchers a full list may carry (the agent refuses longer ones). */
    readonly listLimit: number,
    private readonly logger: Logger,
  ) {}

  current(presentity: string): FollowedWatchers | undefined {
    const state = this.followed.get(presentity);
    return state?.position === undefined ? undefined : state;
  }

  acquire(presentity: string): void {
    const state = this.followed.get(presentity);
    if (state) {
      state.holders += 1;
      return;
    }
    const subscription = this.bus.subscribe(this.subjects.watcherInfo(partitionOf(presentity, this.partitionCount), presentity), this.onMessage);
    this.followed.set(presentity, { holders: 1, subscription, position: undefined, watchers: new Map(), generation: 0, logBase: 0, log: [], early: [], refetching: false });
  }

  release(presentity: string): void {
    const state = this.followed.get(presentity);
    if (!state || --state.holders > 0) return;
    state.subscription.unsubscribe();
    this.followed.delete(presentity);
  }

  /** A full list from the agent; taken unless what is held is as new or newer (same epoch, position not behind). */
  apply(list: WatchersReply): boolean {
    const state = this.followed.get(list.presentity);
    if (!state) return false;
    const held = state.position;
    if (held !== undefined && held.epoch === list.feed.epoch && held.seq >= list.feed.seq) return false;
    state.position = list.feed;
    state.watchers.clear();
    for (const watcher of list.watchers) state.watchers.set(watcher.id, watcher);
    state.generation += 1;
    state.logBase = list.feed.seq;
    state.log.length = 0;
    const early = state.early;
    state.early = [];
    for (const event of early) this.follow(state, event);
    return true;
  }

  /** After a bus reconnect events may be lost for good: every list followed here is fetched again. */
  refetchAll(): void {
    for (const presentity of this.followed.keys()) this.refetch(presentity);
  }

  close(): void {
    this.stopped = true;
    for (const state of this.followed.values()) state.subscription.unsubscribe();
    this.followed.clear();
  }

  private readonly onMessage = (message: BusMessage): void => {
    let event: WatcherInfoEvent;
    try {
      event = decodeWatcherInfoEvent(message.data);
    } catch (error) {
      this.logger.warn({ err: error }, 'dropping undecodable watcher-info event');
      return;
    }
    const state = this.followed.get(event.presentity);
    if (state && this.follow(state, event)) this.delegate?.onPackageChanged(WINFO_PACKAGE, event.presentity);
  };

  /** Applies an event that follows the position held; true when the list changed. */
  private follow(state: FollowedWatchers, event: WatcherInfoEvent): boolean {
    const held = state.position;
    if (held === undefined) {
      if (state.early.length < EARLY_LIMIT) state.early.push(event);
      else this.refetch(event.presentity);
      return false;
    }
    if (held.epoch === event.feed.epoch && event.feed.previous === held.seq) {
      state.position = { epoch: held.epoch, seq: event.feed.seq };
      if (event.watcher.status === 'terminated') state.watchers.delete(event.watcher.id);
      else state.watchers.set(event.watcher.id, event.watcher);
      state.log.push({ seq: event.feed.seq, watcher: event.watcher });
      if (state.log.length > LOG_LIMIT) state.logBase = state.log.shift()!.seq;
      return true;
    }
    // Already reflected (the full list was read after it was counted).
    if (held.epoch === event.feed.epoch && event.feed.seq <= held.seq) return false;
    this.refetch(event.presentity);
    return false;
  }

  /**
   * What is held is wrong: it is dropped (no NOTIFY renders from it) and the
   * full list fetched, events arriving meanwhile kept for after it. One
   * fetch at a time per presentity; after a failure the next event that
   * overflows the kept ones, or a reconnect, asks again.
   */
  private refetch(presentity: string): void {
    const state = this.followed.get(presentity);
    if (!state || state.refetching || this.stopped) return;
    state.refetching = true;
    state.position = undefined;
    state.early = [];
    this.source
      .watchers(presentity, this.listLimit)
      .then((list) => {
        if (this.followed.get(presentity) === state && this.apply(list)) this.delegate?.onPackageChanged(WINFO_PACKAGE, presentity);
      })
      .catch((error: unknown) => this.logger.warn({ err: error, presentity }, 'watcher list re-fetch failed; the next event or reconnect tries again'))
      .finally(() => {
        state.refetching = false;
      });
  }
}
