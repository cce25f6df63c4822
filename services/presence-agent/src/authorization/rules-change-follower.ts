import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import { decodeXcapChange, encodeMessage, type Subjects } from '@presence/contracts';
import { KeyedQueue, partitionOf, type InspectionStore, type WatcherRecord, type WatcherStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { PRES_RULES_AUID, PRES_RULES_FILENAME, authorizationTransition, type AuthorizationStanding } from '@presence/policy';
import type { Logger } from '@presence/runtime';
import { snapshotOf } from '../fanout/snapshots.js';
import { usesSphere } from './presentity-spheres.js';
import { presenceWatchersOf } from './restricted-watchers.js';
import type { AuthorizationDeps, WatcherAuthorization } from './watcher-authorizer.js';

export interface RulesChangeFollowerDeps extends AuthorizationDeps {
  readonly bus: Bus;
  readonly subjects: Subjects;
  readonly store: WatcherStore & Pick<InspectionStore, 'watchersOf'>;
  /** Whether this agent serves the partition now (it owns the presentities in it). */
  readonly serving: (partition: number) => boolean;
  /** Watchers re-decided per rule change at most. */
  readonly maxWatchers: number;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
}

/**
 * Makes a pres-rules change take effect on live subscriptions (issue #12):
 * on the bus announcement of a presentity's document change (XCAP server,
 * `Subjects.xcapChange('pres-rules')`), the agent owning the presentity
 * drops its parsed rules, decides every presence watcher again, records the
 * new status and tells each watcher's edge the decision; the edge ignores
 * one that changes nothing for its dialog. Per presentity in order; a lost
 * announcement is corrected by each watcher's next refresh.
 */
export class RulesChangeFollower {
  private subscription: BusSubscription | undefined;
  private readonly queue = new KeyedQueue();

  constructor(private readonly deps: RulesChangeFollowerDeps) {}

  start(): void {
    this.subscription = this.deps.bus.subscribe(this.deps.subjects.xcapChange(PRES_RULES_AUID), this.onMessage);
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.queue.idle();
  }

  private readonly onMessage = (message: BusMessage): void => {
    let presentity: string;
    try {
      const change = decodeXcapChange(message.data);
      if (change.scope !== 'users' || change.filename !== PRES_RULES_FILENAME) return;
      presentity = change.owner;
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'dropping undecodable xcap change');
      return;
    }
    const partition = partitionOf(presentity, this.deps.partitionCount);
    if (!this.deps.serving(partition)) return;
    this.deps.authorizer.forget(presentity);
    this.inOrder(presentity, 'applying a pres-rules change', () => this.decideAgain(presentity, partition));
  };

  /**
   * The presentity's sphere changed (a PUBLISH or a lapse moved its
   * `<rpid:sphere>`): a rule with a sphere condition (RFC 4745 §7.2) may
   * now match or stop matching, so its watchers are decided again as on a
   * rule change. Rules without one are left alone.
   */
  sphereChanged(presentity: string, partition: number): void {
    if (!this.deps.serving(partition)) return;
    this.inOrder(presentity, 'applying a sphere change', async () => {
      if (usesSphere(await this.deps.authorizer.rulesOf(presentity))) await this.decideAgain(presentity, partition);
    });
  }

  private inOrder(presentity: string, what: string, work: () => Promise<void>): void {
    this.queue.run(presentity, work).catch((error: unknown) => {
      this.deps.metrics.internalErrors.inc({ source: 'authorization' });
      this.deps.logger.error({ err: error, presentity }, `${what} failed; refreshes will apply it`);
    });
  }

  private async decideAgain(presentity: string, partition: number): Promise<void> {
    const { authorizer, store, clock } = this.deps;
    const [ruleset, records, current] = await Promise.all([
      authorizer.rulesOf(presentity),
      presenceWatchersOf(store, presentity, this.deps.maxWatchers),
      this.deps.updater.current(presentity, partition),
    ]);
    // Rebuilt from the store at the next render, with the new decisions.
    this.deps.views.forget(presentity);
    const now = clock.now();
    const sphere = authorizer.spheres.sphereOf(current);
    const decided = records
      .filter((record) => record.expiresAt > now)
      .map((record) => ({ record, authorization: afterChange(record, authorizer.decide(ruleset, presentity, record.watcher, sphere)) }));
    for (const { record, authorization } of decided) {
      if (authorization.status === record.status) continue;
      const after = authorization.status === 'terminated' ? undefined : { ...record, status: authorization.status };
      if (after === undefined) await store.removeWatcher(partition, presentity, record.subscriptionId);
      else await store.putWatcher(partition, after);
      const event = authorizationTransition(standingOf(record), authorization.subHandling).winfo?.event;
      if (event !== undefined) this.deps.listener.onWatcherStatus({ before: record, after, event });
    }
    if (decided.length === 0) return;
    const state = await snapshotOf(current, this.deps.views);
    for (const { record, authorization } of decided) {
      const change = encodeMessage({
        v: 1,
        type: 'authorization',
        subscriptionId: record.subscriptionId,
        status: authorization.status,
        ...(authorization.reason === undefined ? {} : { reason: authorization.reason }),
        viewKey: authorization.viewKey,
        state,
      });
      this.deps.bus.publish(this.deps.subjects.edgeAuthorization(record.edgeId), change);
    }
  }
}

/**
 * The decision as it applies to a live watcher: an active one the rules now
 * want confirmed cannot go back to pending (RFC 6665 §4.1.3 has no such
 * transition), so it ends `deactivated` and its re-SUBSCRIBE waits for
 * confirmation (authorizationTransition).
 */
export function afterChange(record: WatcherRecord, authorization: WatcherAuthorization): WatcherAuthorization {
  const transition = authorizationTransition(standingOf(record), authorization.subHandling);
  if (transition.change === 'deactivated') return { ...authorization, status: 'terminated', reason: 'deactivated' };
  return authorization;
}

/** What the stored status says of where the watcher stood (shown and neutral are both active; their swap changes no state line). */
function standingOf(record: WatcherRecord): AuthorizationStanding {
  return record.status === 'pending' ? 'pending' : record.status === 'active' ? 'shown' : 'ended';
}
