import type { Bus, BusSubscription } from '@presence/bus';
import type { Subjects } from '@presence/contracts';
import type { Clock, ExpiryIndex, PublicationLimits, InspectionStore, LeaseStore, MembershipStore, PresentityStore, WatcherStore, XcapDocumentStore } from '@presence/core';
import { DEFAULT_SUB_HANDLING, PresRulesBook, type SubHandling } from '@presence/policy';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import { restrictedWatchersLoader } from './authorization/restricted-watchers.js';
import { RulesChangeFollower } from './authorization/rules-change-follower.js';
import { WatcherAuthorizer } from './authorization/watcher-authorizer.js';
import type { WatcherStatusListener } from './authorization/watcher-status-listener.js';
import { ExpirySweeper } from './expiry/expiry-sweeper.js';
import { ChangePublisher } from './fanout/change-publisher.js';
import { WatcherViews } from './fanout/watcher-views.js';
import { WatcherInfoFeed } from './fanout/watcher-info-feed.js';
import { FetchHandler } from './handlers/fetch-handler.js';
import { PublishHandler } from './handlers/publish-handler.js';
import { RequestRouter } from './handlers/request-router.js';
import { SubscribeHandler } from './handlers/subscribe-handler.js';
import { WatchersHandler } from './handlers/watchers-handler.js';
import { DocumentComposer } from './presentity/document-composer.js';
import { PresentityUpdater } from './presentity/presentity-updater.js';
import { PartitionCensus } from './partitions/partition-census.js';
import { PartitionOwnership } from './partitions/partition-ownership.js';

export interface PresenceAgentDeps {
  readonly bus: Bus;
  /**
   * leaseHolders: the census reads the whole lease table to count partitions
   * without owner; watchersOf and the XCAP documents: authorization (pres-rules); watchersOf
   * also a winfo subscription's full state (bounded).
   */
  readonly store: PresentityStore &
    WatcherStore &
    ExpiryIndex &
    LeaseStore &
    MembershipStore &
    Pick<InspectionStore, 'leaseHolders' | 'watchersOf'> &
    Pick<XcapDocumentStore, 'xcapDocument'>;
  readonly clock: Clock;
  readonly subjects: Subjects;
  readonly partitionCount: number;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  /** Identity in the membership; unique per process. */
  readonly memberId: string;
  /** Lease time = takeover time after a crash (default 8 s); renewed every `leaseTickMs` (default 1 s). */
  readonly leaseTtlMs?: number;
  readonly leaseTickMs?: number;
  /** Gap between two censuses of the partitions (unowned ones, published presentities); default the lease time. */
  readonly censusIntervalMs?: number;
  readonly sweepIntervalMs?: number;
  readonly sweepBatch?: number;
  /**
   * Requests count as expired this much before the deadline their edge
   * stamped (default 250 ms): room for the clock gap between hosts, which
   * NTP keeps well below it (ARCHITECTURE "Request deadlines").
   */
  readonly requestDeadlineMarginMs?: number;
  /** Publications and published bytes one presentity may hold (default DEFAULT_PUBLICATION_LIMITS). */
  readonly publicationLimits?: PublicationLimits;
  /** What a watcher no pres-rule covers gets (issue #12 `--default-sub-handling`; default confirm). */
  readonly defaultSubHandling?: SubHandling;
}

/** Presentities whose parsed rules and restricted watchers an agent keeps in memory. */
const AUTHORIZATION_CACHE_PRESENTITIES = 20_000;
/** Watchers read per presentity when its rules change or its views are rebuilt. */
const MAX_WATCHERS_DECIDED = 10_000;
/** Distinct restricted views rendered per presentity version. */
const MAX_VIEWS_PER_PRESENTITY = 32;

export interface PresenceAgent {
  /** Joins the membership and takes its share of partition leases before resolving. */
  start(): Promise<void>;
  ownedPartitions(): number[];
  /**
   * Hands every partition over and takes no new ones, but keeps the process
   * up (an operator's `presence ctl drain`): it leaves the membership, so the
   * other agents take its share at their next tick, and releases its leases
   * after answering what was already routed here. Resolves with the
   * partitions it gave up; draining again gives none. Only a restart makes
   * the agent take partitions again.
   */
  drain(): Promise<number[]>;
  /** True once drain() began. */
  readonly draining: boolean;
  /** Stops taking requests, finishes queued changes and the running sweep. */
  stop(): Promise<void>;
}

/** Queue group shared by all agents: a request goes to exactly one of them. */
export const AGENT_QUEUE = 'presence-agents';

/**
 * A presence agent: serves the partitions it holds leases for (all of them
 * when alone, its rendezvous share in a cluster), one queue-group
 * subscription per partition, and sweeps their expiry indexes.
 */
export function createPresenceAgent(deps: PresenceAgentDeps): PresenceAgent {
  const composer = new DocumentComposer();
  const authorizer = new WatcherAuthorizer(deps.store, new PresRulesBook(AUTHORIZATION_CACHE_PRESENTITIES), deps.defaultSubHandling ?? DEFAULT_SUB_HANDLING, deps.clock);
  const views = new WatcherViews(
    { presentities: AUTHORIZATION_CACHE_PRESENTITIES, watchersPerPresentity: MAX_WATCHERS_DECIDED, viewsPerPresentity: MAX_VIEWS_PER_PRESENTITY },
    restrictedWatchersLoader(deps.store, authorizer, MAX_WATCHERS_DECIDED),
  );
  const watcherFeed = new WatcherInfoFeed(deps.bus, deps.subjects, deps.partitionCount);
  // RFC 3857: every watcher status the agent decides goes out on the presentity's winfo feed.
  const listener: WatcherStatusListener = watcherFeed;
  const changes = new ChangePublisher(
    deps.bus,
    deps.subjects,
    deps.metrics,
    { render: (p, version, document) => views.render(p, version, document), logger: deps.logger },
    // RFC 4745 §7.2: a new sphere can change what sphere rules decide for the presentity's watchers.
    (partition, state) => {
      if (authorizer.spheres.observe(state)) rulesChanges.sphereChanged(state.presentity, partition);
    },
  );
  const updater = new PresentityUpdater(deps.store, composer, changes, deps.clock, deps.metrics);
  const deadlineMarginMs = deps.requestDeadlineMarginMs ?? 250;
  const router = new RequestRouter(
    {
      publish: new PublishHandler(updater, composer, deps.partitionCount, deps.metrics, deadlineMarginMs, deps.publicationLimits, deps.clock),
      subscribe: new SubscribeHandler({ store: deps.store, updater, authorizer, views, listener, clock: deps.clock, partitionCount: deps.partitionCount }),
      fetch: new FetchHandler(updater, views, deps.partitionCount),
      watchers: new WatchersHandler(deps.store, watcherFeed, deps.clock),
    },
    deps.logger,
    { clock: deps.clock, deadlineMarginMs, serving: (partition) => ownership.serving(partition), metrics: deps.metrics },
  );
  const subscriptions = new Map<number, BusSubscription>();
  const leaseTtlMs = deps.leaseTtlMs ?? 8000;
  const ownership = new PartitionOwnership(
    deps.store,
    deps.clock,
    { memberId: deps.memberId, partitionCount: deps.partitionCount, leaseTtlMs, tickMs: deps.leaseTickMs ?? 1000 },
    {
      gained(partition) {
        subscriptions.set(partition, deps.bus.subscribe(deps.subjects.agent(partition), (message) => router.onMessage(message, partition), { queue: AGENT_QUEUE }));
        deps.metrics.leaseChanges.inc({ change: 'gained' });
        deps.metrics.ownedPartitions.set(subscriptions.size);
      },
      async lost(partition) {
        const subscription = subscriptions.get(partition);
        subscriptions.delete(partition);
        deps.metrics.leaseChanges.inc({ change: 'lost' });
        deps.metrics.ownedPartitions.set(subscriptions.size);
        await subscription?.drain();
      },
    },
    deps.logger,
  );
  const rulesChanges = new RulesChangeFollower({
    bus: deps.bus,
    subjects: deps.subjects,
    store: deps.store,
    updater,
    authorizer,
    views,
    listener,
    clock: deps.clock,
    partitionCount: deps.partitionCount,
    // Only the lease holder re-decides: every agent hears the rule change, and two deciding would announce twice (two winfo epochs).
    serving: (partition) => ownership.owns(partition) && ownership.serving(partition),
    maxWatchers: MAX_WATCHERS_DECIDED,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const sweeper = new ExpirySweeper(
    deps.store,
    updater,
    () => ownership.ownedPartitions(),
    deps.clock,
    { intervalMs: deps.sweepIntervalMs ?? 500, batch: deps.sweepBatch ?? 500 },
    deps.metrics,
    deps.logger,
    listener,
  );
  const census = new PartitionCensus(
    deps.store,
    () => ownership.ownedPartitions(),
    { partitionCount: deps.partitionCount, intervalMs: deps.censusIntervalMs ?? leaseTtlMs },
    deps.metrics,
    deps.logger,
  );

  let draining = false;
  return {
    async start() {
      rulesChanges.start();
      await ownership.start();
      sweeper.start();
      await census.start();
    },
    ownedPartitions: () => ownership.ownedPartitions(),
    async drain() {
      draining = true;
      const released = ownership.ownedPartitions();
      // The same hand-over as SIGTERM's; the sweeper idles with no partition to sweep.
      await ownership.stop();
      await updater.idle();
      deps.logger.info({ partitions: released.length }, 'drained: partitions handed over, taking no new ones');
      return released;
    },
    get draining() {
      return draining;
    },
    async stop() {
      // Leases go first so a successor starts serving while queued changes finish here.
      await census.stop();
      await ownership.stop();
      await rulesChanges.stop();
      await sweeper.stop();
      await updater.idle();
    },
  };
}
