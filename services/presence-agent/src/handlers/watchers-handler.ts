import type { WatchersCommand, WatchersReply } from '@presence/contracts';
import { ServerInternalError, type Clock, type InspectionStore } from '@presence/core';
import { WATCHED_PACKAGE, type WatcherInfoFeed } from '../fanout/watcher-info-feed.js';

/**
 * A presence.winfo subscription's full state (RFC 3857 §3.2.3): the
 * presentity's presence watchers, at most `limit`. A presentity with more
 * gets a 500 naming the count, never a silently truncated list: a partial
 * list would show the presentity strangers as gone. Lapsed watchers the
 * sweep has not reached yet are left out.
 */
export class WatchersHandler {
  constructor(
    private readonly store: Pick<InspectionStore, 'watchersOf'>,
    private readonly feed: WatcherInfoFeed,
    private readonly clock: Clock,
  ) {}

  async handle(command: WatchersCommand): Promise<WatchersReply> {
    // Before the list: every event up to this position is then in it (later ones are applied again, harmlessly).
    const feed = this.feed.position(command.presentity);
    const page = await this.store.watchersOf(command.presentity, command.limit);
    if (page.total > command.limit) {
      throw new ServerInternalError(`Watcher list too long for presence.winfo (${page.total} subscriptions, limit ${command.limit})`);
    }
    const now = this.clock.now();
    const watchers = page.items
      .filter((record) => record.event === WATCHED_PACKAGE && record.expiresAt > now)
      .map((record) => ({ id: record.subscriptionId, watcher: record.watcher, status: record.status, event: 'subscribe' as const, expiresAt: record.expiresAt }));
    return { v: 1, type: 'watchers', presentity: command.presentity, feed, watchers };
  }
}
