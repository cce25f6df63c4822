import type { SubscribeCommand, SubscribedReply, UnsubscribeCommand, UnsubscribedReply } from '@presence/contracts';
import { partitionOf, type Clock, type WatcherStore } from '@presence/core';
import { emptyPidf } from '@presence/pidf';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';

/**
 * The agent's side of a subscription (RFC 6665 §4.2.1, RFC 3856 §6): records
 * the watcher (soft state with expiry, RFC 3857 watcher list) and returns the
 * current composed state for the NOTIFY the edge sends at once. Expires 0 is a
 * fetch or an unsubscribe: the watcher is removed and the state still returned.
 * Every watcher is authorized (no pres-rules yet), so status is active.
 */
export class SubscribeHandler {
  constructor(
    private readonly store: WatcherStore,
    private readonly updater: PresentityUpdater,
    private readonly clock: Clock,
    private readonly partitionCount: number,
  ) {}

  async handle(command: SubscribeCommand): Promise<SubscribedReply> {
    const partition = partitionOf(command.presentity, this.partitionCount);
    if (command.expires === 0) {
      await this.store.removeWatcher(partition, command.presentity, command.subscriptionId);
    } else {
      await this.store.putWatcher(partition, {
        presentity: command.presentity,
        subscriptionId: command.subscriptionId,
        watcher: command.watcher,
        event: command.event,
        status: 'active',
        edgeId: command.edgeId,
        expiresAt: this.clock.now() + command.expires * 1000,
      });
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
    await this.store.removeWatcher(partition, command.presentity, command.subscriptionId);
    return { v: 1, type: 'unsubscribed' };
  }
}
