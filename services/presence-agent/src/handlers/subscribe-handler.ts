import type { SubscribeCommand, SubscribedReply, UnsubscribeCommand, UnsubscribedReply, WinfoEvent } from '@presence/contracts';
import { partitionOf, type Clock, type WatcherRecord, type WatcherStore } from '@presence/core';
import { emptyPidf } from '@presence/pidf';
import type { WatcherStatusListener } from '../authorization/watcher-status-listener.js';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';

/**
 * The agent's side of a subscription (RFC 6665 §4.2.1, RFC 3856 §6): records
 * the watcher (soft state with expiry, RFC 3857 watcher list) and returns the
 * current composed state for the NOTIFY the edge sends at once. Expires 0 is a
 * fetch or an unsubscribe: the watcher is removed and the state still returned.
 * Every watcher is authorized (no pres-rules yet), so status is active.
 * Each change of the watcher list goes to the status listener (the winfo
 * feed, RFC 3857 §3.2.4): a new watcher is `subscribe`, one that unsubscribed
 * or lapsed `timeout`, one whose NOTIFY failed for good `deactivated`.
 */
export class SubscribeHandler {
  constructor(
    private readonly store: WatcherStore,
    private readonly updater: PresentityUpdater,
    private readonly clock: Clock,
    private readonly partitionCount: number,
    private readonly listener: WatcherStatusListener,
  ) {}

  async handle(command: SubscribeCommand): Promise<SubscribedReply> {
    const partition = partitionOf(command.presentity, this.partitionCount);
    if (command.expires === 0) {
      const removed = await this.store.removeWatcher(partition, command.presentity, command.subscriptionId);
      // RFC 3857 §3.2.4: an unsubscribe ends the watcher's subscription as timeout does.
      if (removed) this.listener.onWatcherStatus({ before: removed, after: undefined, event: 'timeout' });
    } else {
      const record = {
        presentity: command.presentity,
        subscriptionId: command.subscriptionId,
        watcher: command.watcher,
        event: command.event,
        status: 'active' as const,
        edgeId: command.edgeId,
        expiresAt: this.clock.now() + command.expires * 1000,
      };
      const previous = await this.store.putWatcher(partition, record);
      if (previous === undefined) this.listener.onWatcherStatus({ before: undefined, after: record, event: 'subscribe' });
    }
    const state = await this.updater.current(command.presentity, partition);
    return {
      v: 1,
      type: 'subscribed',
      status: command.expires === 0 ? 'terminated' : 'active',
      expires: command.expires,
      state: {
        presentity: command.presentity,
        version: state.version,
        incarnation: state.incarnation,
        document: state.document === '' ? emptyPidf(command.presentity) : state.document,
      },
    };
  }

  async handleUnsubscribe(command: UnsubscribeCommand): Promise<UnsubscribedReply> {
    const partition = partitionOf(command.presentity, this.partitionCount);
    const removed = await this.store.removeWatcher(partition, command.presentity, command.subscriptionId);
    if (removed) this.listener.onWatcherStatus({ before: removed, after: undefined, event: command.reason === 'notify-failed' ? 'deactivated' : lapsedEvent(removed) });
    return { v: 1, type: 'unsubscribed' };
  }
}

/** RFC 3857 §3.2.4: a subscription that lapsed while still awaiting authorization gave up; an authorized one timed out. */
export function lapsedEvent(record: WatcherRecord): WinfoEvent {
  return record.status === 'pending' ? 'giveup' : 'timeout';
}
