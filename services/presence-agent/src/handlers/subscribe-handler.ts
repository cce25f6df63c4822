import type { ErrorReply, SubscribeCommand, SubscribedReply, UnsubscribeCommand, UnsubscribedReply, WinfoEvent } from '@presence/contracts';
import { partitionOf, type PresentityState, type WatcherRecord, type WatcherStore } from '@presence/core';
import { authorizationTransition } from '@presence/policy';
import { isRestrictedView, type AuthorizationDeps, type WatcherAuthorization } from '../authorization/watcher-authorizer.js';
import { usesSphere } from '../authorization/presentity-spheres.js';
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
 * Each change of the watcher list goes to the status listener (the winfo
 * feed, RFC 3857 §3.2.4): a new watcher is `subscribe` (pending or active as
 * decided), one the rules now block `rejected`, one that unsubscribed or
 * lapsed `timeout` (`giveup` while pending), one whose NOTIFY failed for
 * good `deactivated`.
 */
export class SubscribeHandler {
  constructor(private readonly deps: SubscribeHandlerDeps) {}

  async handle(command: SubscribeCommand): Promise<SubscribedReply | ErrorReply> {
    const { store, clock, views, listener } = this.deps;
    const partition = partitionOf(command.presentity, this.deps.partitionCount);
    const authorization = await this.decide(command, partition);
    const view = isRestrictedView(authorization) ? { viewKey: authorization.viewKey, transformations: authorization.transformations } : undefined;
    if (authorization.status === 'terminated' && command.initial === true) {
      listener.onWatcherStatus({ before: undefined, after: undefined, event: 'rejected' });
      // RFC 6665 §4.2.1.1 / RFC 3856 §6.6: a subscriber the policy does not authorize is answered 403; nothing is recorded.
      return { v: 1, type: 'error', status: 403, reason: 'Forbidden', headers: {} };
    }
    let loaded: PresentityState | undefined;
    if (command.expires === 0 || authorization.status === 'terminated') {
      const before = await store.removeWatcher(partition, command.presentity, command.subscriptionId);
      views.note(command.presentity, command.subscriptionId, undefined);
      // An unsubscribe ends the subscription as timeout does (RFC 3857 §3.2.4); a live watcher the rules now block,
      // found out at its refresh (a lost announcement), is rejected.
      if (before !== undefined) listener.onWatcherStatus({ before, after: undefined, event: command.expires === 0 ? 'timeout' : 'rejected' });
    } else {
      const after: WatcherRecord = {
        presentity: command.presentity,
        subscriptionId: command.subscriptionId,
        watcher: command.watcher,
        event: command.event,
        status: authorization.status,
        edgeId: command.edgeId,
        expiresAt: clock.now() + command.expires * 1000,
      };
      // The state is read with the write: the answer's state is the presentity's as of the watcher's record.
      const put = await store.putWatcherAndLoad(partition, after);
      loaded = put.state;
      views.note(command.presentity, command.subscriptionId, view);
      if (put.previous === undefined) this.announceNew(after, authorization);
    }
    const { updater } = this.deps;
    const state = await (loaded === undefined ? updater.current(command.presentity, partition) : updater.currentFrom(loaded, partition));
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

  /** Rules with a sphere condition need the presentity's current sphere (RFC 4745 §7.2): only they read its state first. */
  private async decide(command: SubscribeCommand, partition: number): Promise<WatcherAuthorization> {
    const { authorizer, updater } = this.deps;
    const ruleset = await authorizer.rulesOf(command.presentity);
    const sphere = usesSphere(ruleset) ? authorizer.spheres.sphereOf(await updater.current(command.presentity, partition)) : undefined;
    return authorizer.decide(ruleset, command.presentity, command.watcher, sphere);
  }

  async handleUnsubscribe(command: UnsubscribeCommand): Promise<UnsubscribedReply> {
    const partition = partitionOf(command.presentity, this.deps.partitionCount);
    const removed = await this.deps.store.removeWatcher(partition, command.presentity, command.subscriptionId);
    this.deps.views.note(command.presentity, command.subscriptionId, undefined);
    if (removed) this.deps.listener.onWatcherStatus({ before: removed, after: undefined, event: command.reason === undefined || command.reason === 'expired' ? lapsedEvent(removed) : 'deactivated' });
    return { v: 1, type: 'unsubscribed' };
  }

  /** A watcher the store did not hold: `subscribe`, in the status just decided (pending or active). */
  private announceNew(after: WatcherRecord, authorization: WatcherAuthorization): void {
    const event = authorizationTransition(undefined, authorization.subHandling).winfo?.event;
    if (event !== undefined) this.deps.listener.onWatcherStatus({ before: undefined, after, event });
  }
}

/** RFC 3857 §3.2.4: a subscription that lapsed while still awaiting authorization gave up; an authorized one timed out. */
export function lapsedEvent(record: WatcherRecord): WinfoEvent {
  return record.status === 'pending' ? 'giveup' : 'timeout';
}
