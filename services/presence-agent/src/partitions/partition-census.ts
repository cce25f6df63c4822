import type { ExpiryIndex, InspectionStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { PeriodicTask, type Logger } from '@presence/runtime';
import { mapInChunks } from './in-chunks.js';

export interface CensusOptions {
  readonly partitionCount: number;
  /** Gap between censuses; the agent uses its lease time, the takeover time after a crash. */
  readonly intervalMs: number;
}

/**
 * What an agent counts for operators, every `intervalMs` rather than per
 * scrape: the partitions whose lease nobody holds, over the whole cluster
 * (presence_partitions_unowned: every agent reads the lease table, so it is
 * seen even after the owner crashed), and the presentities with
 * publications in the partitions it owns (presence_published_presentities).
 * One read of the lease table (the operators' `leaseHolders`) plus one read
 * per owned partition, at most 64 at once: bounded by the partition count. A census that cannot read the store
 * is logged and leaves the last figures in place (store errors count apart).
 */
export class PartitionCensus {
  private readonly task: PeriodicTask;

  constructor(
    private readonly store: Pick<InspectionStore, 'leaseHolders'> & ExpiryIndex,
    private readonly owned: () => readonly number[],
    private readonly options: CensusOptions,
    private readonly metrics: PresenceMetrics,
    logger: Logger,
  ) {
    this.task = new PeriodicTask({
      intervalMs: options.intervalMs,
      run: () => this.count(),
      onError: (error) => logger.warn({ err: error }, 'partition census failed; the metrics keep the last figures'),
    });
  }

  /** Resolves once the first census is done, so the first scrape after start has figures. */
  start(): Promise<void> {
    return this.task.runNow();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async count(): Promise<void> {
    const leases = await this.store.leaseHolders(this.options.partitionCount);
    const published = await mapInChunks(this.owned(), (p) => this.store.publishedPresentities(p));
    this.metrics.partitionsUnowned.set(leases.filter((lease) => lease === undefined).length);
    this.metrics.publishedPresentities.set(published.reduce((sum, n) => sum + n, 0));
  }
}
