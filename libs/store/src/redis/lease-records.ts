import type { Clock, Lease, LeaseStore } from '@presence/core';
import { assertPositiveTtl } from '../ttl-check.js';
import type { RedisCalls } from './redis-calls.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/**
 * Partition leases in `lease:{p:n}` (owner, epoch, expiresAt), taken and
 * released by Lua scripts, read with HMGET, and judged by the injected
 * clock. The keys have no TTL, so an epoch never repeats.
 */
export class LeaseRecords implements LeaseStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly clock: Clock,
  ) {}

  async acquireLease(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    this.calls.assertOpen();
    assertPositiveTtl('lease ttlMs', ttlMs);
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    const [held, epoch] = (await this.calls.run('acquireLease', () =>
      this.scripts['lease-acquire']([this.keys.lease(partition)], [owner, now, expiresAt]),
    )) as [number, number];
    return held === 1 ? { partition, owner, epoch, expiresAt } : undefined;
  }

  /** One script over every key on a lone Redis node; a Redis Cluster refuses keys of several slots, so there one call each. */
  async acquireLeases(partitions: readonly number[], owner: string, ttlMs: number): Promise<Array<Lease | undefined>> {
    if (this.client.isCluster) return Promise.all(partitions.map((partition) => this.acquireLease(partition, owner, ttlMs)));
    this.calls.assertOpen();
    assertPositiveTtl('lease ttlMs', ttlMs);
    if (partitions.length === 0) return [];
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    const answers = (await this.calls.run('acquireLeases', () =>
      this.scripts['lease-acquire'](
        partitions.map((partition) => this.keys.lease(partition)),
        [owner, now, expiresAt],
      ),
    )) as number[];
    return partitions.map((partition, i) => (answers[2 * i] === 1 ? { partition, owner, epoch: answers[2 * i + 1]!, expiresAt } : undefined));
  }

  /** One HMGET per partition, all in flight at once (they live in different hash slots, so no single pipeline). */
  async leaseHolders(partitionCount: number): Promise<(Lease | undefined)[]> {
    const now = this.clock.now();
    return Promise.all(
      Array.from({ length: partitionCount }, async (_, partition) => {
        const [owner, epoch, expiresAt] = await this.calls.run('leaseHolders', () => this.client.hmget(this.keys.lease(partition), 'owner', 'epoch', 'expiresAt'));
        if (typeof owner !== 'string' || typeof epoch !== 'string' || typeof expiresAt !== 'string') return undefined;
        const lease: Lease = { partition, owner, epoch: Number(epoch), expiresAt: Number(expiresAt) };
        return lease.expiresAt > now ? lease : undefined;
      }),
    );
  }

  async releaseLease(partition: number, owner: string): Promise<void> {
    await this.calls.run('releaseLease', () => this.scripts['lease-release']([this.keys.lease(partition)], [owner]));
  }
}
