import { partitionsOwnedBy, type Clock, type Lease, type LeaseStore, type MembershipStore } from '@presence/core';
import { PeriodicTask, type Logger } from '@presence/runtime';
import { forChunks, mapInChunks } from './in-chunks.js';

export interface OwnershipOptions {
  readonly memberId: string;
  readonly partitionCount: number;
  /** How long a lease lasts without renewal: the takeover time after a crash. */
  readonly leaseTtlMs: number;
  /** Period of heartbeat + renewal; several ticks fit in a lease. */
  readonly tickMs: number;
}

export interface OwnershipListener {
  gained(partition: number): void;
  /** Stop serving; resolves once requests already routed to this worker were answered. */
  lost(partition: number): Promise<void>;
}

/**
 * Which partitions this worker serves (ARCHITECTURE "Partitions and leases"):
 * every tick it heartbeats, computes its share of the partitions by
 * rendezvous hashing over the live members, takes or renews those leases and
 * releases the ones it should no longer hold (a new member joined). It stops
 * serving a partition before its lease can lapse if renewals fail, and on
 * stop() releases everything so successors take over at their next tick.
 */
export class PartitionOwnership {
  private readonly owned = new Map<number, { epoch: number; renewedAt: number }>();
  /**
   * Partitions given up because their lease lapsed or went to another
   * worker: requests still draining from their subscription are refused.
   * (A partition released on purpose serves its drain: the lease is held until then.)
   */
  private readonly fenced = new Set<number>();
  private readonly ticks: PeriodicTask;
  /** Read by a tick under way: a lease taken after stop() began is not served. */
  private stopped = true;

  constructor(
    private readonly store: LeaseStore & MembershipStore,
    private readonly clock: Clock,
    private readonly options: OwnershipOptions,
    private readonly listener: OwnershipListener,
    private readonly logger: Logger,
  ) {
    if (options.tickMs * 3 > options.leaseTtlMs) throw new Error('lease time must cover at least three renewal ticks');
    this.ticks = new PeriodicTask({
      intervalMs: options.tickMs,
      run: async () => {
        try {
          await this.tick();
        } finally {
          // Whatever failed, stop serving what could lapse; the next tick is armed after this run.
          this.fenceStaleLeases();
        }
      },
      onError: (error) => this.logger.warn({ err: error }, 'partition ownership tick failed'),
    });
  }

  /** Whether this worker holds the partition's lease (serving() also answers true for one it was never given). */
  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /**
   * Whether this worker may still serve a partition, judged on the renewal
   * time it remembers (no store read): after a stall (SIGSTOP, a long GC)
   * requests can be handled before the next tick notices the lease lapsed,
   * so a request handler asks here first. A lease that may have lapsed is
   * given up at once: its subscription drains, NATS stops routing here.
   */
  serving(partition: number): boolean {
    const state = this.owned.get(partition);
    if (!state) return !this.fenced.has(partition);
    if (!this.mayHaveLapsed(state.renewedAt)) return true;
    this.logger.warn({ partition }, 'lease may have lapsed during a stall: no longer serving the partition');
    void this.fence(partition);
    return false;
  }

  /** Runs the first tick before resolving, so a lone worker serves at once. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.ticks.runNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.ticks.stop();
    const partitions = this.ownedPartitions();
    // Answer what is already on its way here before a successor may take the partitions.
    await Promise.all(partitions.map((p) => this.lose(p)));
    await Promise.allSettled([this.store.leave(this.options.memberId), ...partitions.map((p) => this.store.releaseLease(p, this.options.memberId))]);
  }

  private async tick(): Promise<void> {
    const { memberId, partitionCount, leaseTtlMs } = this.options;
    await this.store.heartbeat(memberId, leaseTtlMs);
    const members = await this.store.liveMembers();
    if (!members.includes(memberId)) members.push(memberId);
    const desired = new Set(partitionsOwnedBy(memberId, members, partitionCount));
    const surplus = this.ownedPartitions().filter((p) => !desired.has(p));
    await Promise.all(surplus.map((p) => this.lose(p)));
    await mapInChunks(surplus, (p) => this.store.releaseLease(p, memberId));
    // A chunk of partitions per store call (one round trip on a lone Redis node), each chunk judged from before its call.
    await forChunks([...desired], async (partitions) => {
      const started = this.clock.now();
      const leases = await this.store.acquireLeases(partitions, memberId, leaseTtlMs);
      if (this.stopped) return;
      partitions.forEach((partition, i) => this.renewed(partition, leases[i], started));
    });
  }

  private renewed(partition: number, lease: Lease | undefined, started: number): void {
    if (lease) {
      const known = this.owned.get(partition);
      this.owned.set(partition, { epoch: lease.epoch, renewedAt: started });
      this.fenced.delete(partition);
      if (!known || known.epoch !== lease.epoch) this.listener.gained(partition);
    } else if (this.owned.has(partition)) {
      void this.fence(partition);
    }
  }

  /** Stop serving partitions whose last renewal is about to lapse: someone else may take them. */
  private fenceStaleLeases(): void {
    for (const [partition, state] of this.owned) {
      if (this.mayHaveLapsed(state.renewedAt)) {
        this.logger.warn({ partition }, 'lease not renewed in time: no longer serving the partition');
        void this.fence(partition);
      }
    }
  }

  /** A renewal older than the lease time less one tick: someone else may hold the lease by now. */
  private mayHaveLapsed(renewedAt: number): boolean {
    return renewedAt < this.clock.now() - (this.options.leaseTtlMs - this.options.tickMs);
  }

  /** Stops serving a partition whose lease is, or may be, someone else's: what is still queued here is refused. */
  private fence(partition: number): Promise<void> {
    this.fenced.add(partition);
    return this.lose(partition);
  }

  /** Stops serving a partition; never rejects: a failed drain is logged (the lease lapses or is released anyway). */
  private async lose(partition: number): Promise<void> {
    if (!this.owned.delete(partition)) return;
    try {
      await this.listener.lost(partition);
    } catch (error) {
      this.logger.warn({ err: error, partition }, 'draining a partition we no longer own failed');
    }
  }
}
