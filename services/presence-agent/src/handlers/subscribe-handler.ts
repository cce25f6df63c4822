import type { ErrorReply, SubscribeCommand, SubscribedReply, UnsubscribeCommand, UnsubscribedReply } from '@presence/contracts';
import { partitionOf, type WatcherRecord, type WatcherStore } from '@presence/core';
import { authorizationTransition } from '@presence/policy';
import { isRestrictedView, type AuthorizationDeps, type WatcherAuthorization } from '../authorization/watcher-authorizer.js';
import { snapshotOf } from '../fanout/snapshots.js';

export interface SubscribeHandlerDeps extends AuthorizationDeps {
  readonly store: WatcherStore;
}

/**
 * The agent's side of a subscription (RFC 6665 §4.2.1, RFC 3856 §6): decides
 * the watcher's authorization from the presentity's pres-rules (RFC 5025),
 * records the watcher with its status (soft state with expiry, RFC 3857
 * watcher list) and returns the decision and the state for the NOTIFY the
 * edge sends at once. Every SUBSCRIBE, refresh included, is decided again:
 * a refresh re-reads the rules' entity tag, so a rule change whose bus
 * announcement was lost takes effect at the latest at the next refresh.
 * Expires 0 is a fetch or an unsubscribe: the watcher is removed.
 */
export class SubscribeHandler {
  constructor(private readonly deps: SubscribeHandlerDeps) {}

  async handle(command: SubscribeCommand): Promise<SubscribedReply | ErrorReply> {
    const { store, clock, views } = this.deps;
    const partition = partitionOf(command.presentity, this.deps.partitionCount);
    const authorization = this.deps.authorizer.decide(await this.deps.authorizer.rulesOf(command.presentity), command.presentity, command.watcher);
    const view = isRestrictedView(authorization) ? { viewKey: authorization.viewKey, transformations: authorization.transformations } : undefined;
    if (authorization.status === 'terminated' && command.initial === true) {
      this.deps.listener.onWatcherStatus({ before: undefined, after: undefined, event: 'rejected' });
      // RFC 6665 §4.2.1.1 / RFC 3856 §6.6: a subscriber the policy does not authorize is answered 403; nothing is recorded.
      return { v: 1, type: 'error', status: 403, reason: 'Forbidden', headers: {} };
    }
    let after: WatcherRecord | undefined;
    if (command.expires === 0 || authorization.status === 'terminated') {
      const before = await store.removeWatcher(partition, command.presentity, command.subscriptionId);
      views.note(command.presentity, command.subscriptionId, undefined);
      // A live watcher the rules now block, found out at its refresh (a lost announcement).
      if (before !== undefined && authorization.status === 'terminated') this.deps.listener.onWatcherStatus({ before, after: undefined, event: 'rejected' });
    } else {
      after = {
        presentity: command.presentity,
        subscriptionId: command.subscriptionId,
        watcher: command.watcher,
        event: command.event,
        status: authorization.status,
        edgeId: command.edgeId,
        expiresAt: clock.now() + command.expires * 1000,
      };
      await store.putWatcher(partition, after);
      views.note(command.presentity, command.subscriptionId, view);
    }
    if (command.initial === true && after !== undefined) this.announceNew(after, authorization);
    const state = await this.deps.updater.current(command.presentity, partition);
    return {
      v: 1,
      type: 'subscribed',
      // The decision even for expires 0: the edge's final NOTIFY carries state only to an authorized watcher.
      status: authorization.status,
      ...(authorization.reason === undefined ? {} : { reason: authorization.reason }),
      viewKey: authorization.viewKey,
      expires: command.expires,
      state: await snapshotOf(state, views, view),
    };
  }

  async handleUnsubscribe(command: UnsubscribeCommand): Promise<UnsubscribedReply> {
    const partition = partitionOf(command.presentity, this.deps.partitionCount);
    await this.deps.store.removeWatcher(partition, command.presentity, command.subscriptionId);
    this.deps.views.note(command.presentity, command.subscriptionId, undefined);
    return { v: 1, type: 'unsubscribed' };
  }

  private announceNew(after: WatcherRecord, authorization: WatcherAuthorization): void {
    const event = authorizationTransition(undefined, authorization.subHandling).winfo?.event;
    if (event !== undefined) this.deps.listener.onWatcherStatus({ before: undefined, after, event });
  }
}
