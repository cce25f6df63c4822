import type { Bus, BusSubscription } from '@presence/bus';
import type { Subjects } from '@presence/contracts';
import type { Clock, ExpiryIndex, PresentityStore, WatcherStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import { ExpirySweeper } from './expiry/expiry-sweeper.js';
import { ChangePublisher } from './fanout/change-publisher.js';
import { FetchHandler } from './handlers/fetch-handler.js';
import { PublishHandler } from './handlers/publish-handler.js';
import { RequestRouter } from './handlers/request-router.js';
import { SubscribeHandler } from './handlers/subscribe-handler.js';
import { DocumentComposer } from './presentity/document-composer.js';
import { PresentityUpdater } from './presentity/presentity-updater.js';

export interface PresenceAgentDeps {
  readonly bus: Bus;
  readonly store: PresentityStore & WatcherStore & ExpiryIndex;
  readonly clock: Clock;
  readonly subjects: Subjects;
  readonly partitionCount: number;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  readonly sweepIntervalMs?: number;
  readonly sweepBatch?: number;
}

export interface PresenceAgent {
  start(): Promise<void>;
  /** Stops taking requests, finishes queued changes and the running sweep. */
  stop(): Promise<void>;
}

/** Queue group shared by all agents: a request goes to exactly one of them. */
export const AGENT_QUEUE = 'presence-agents';

/**
 * A presence agent serving every partition (standalone mode). Partition
 * leases for the cluster plug in by narrowing what it subscribes to and sweeps.
 */
export function createPresenceAgent(deps: PresenceAgentDeps): PresenceAgent {
  const composer = new DocumentComposer();
  const changes = new ChangePublisher(deps.bus, deps.subjects, deps.metrics);
  const updater = new PresentityUpdater(deps.store, composer, changes, deps.clock, deps.metrics);
  const router = new RequestRouter(
    {
      publish: new PublishHandler(updater, composer, deps.partitionCount, deps.metrics),
      subscribe: new SubscribeHandler(deps.store, updater, deps.clock, deps.partitionCount),
      fetch: new FetchHandler(updater, deps.partitionCount),
    },
    deps.logger,
  );
  const allPartitions = Array.from({ length: deps.partitionCount }, (_, i) => i);
  const sweeper = new ExpirySweeper(
    deps.store,
    updater,
    () => allPartitions,
    deps.clock,
    { intervalMs: deps.sweepIntervalMs ?? 1000, batch: deps.sweepBatch ?? 500 },
    deps.metrics,
    deps.logger,
  );
  let subscription: BusSubscription | undefined;

  return {
    async start() {
      subscription = deps.bus.subscribe(deps.subjects.allAgents(), (message) => router.onMessage(message), { queue: AGENT_QUEUE });
      sweeper.start();
    },
    async stop() {
      subscription?.unsubscribe();
      await sweeper.stop();
      await updater.idle();
    },
  };
}
