import type { DueExpiry, ExpiryIndex } from '@presence/core';
import { decodeExpiryMember } from '../expiry-member.js';
import type { RedisCalls } from './redis-calls.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { scoreBound } from './redis-times.js';

/**
 * Reads of the partition expiry indexes `exp:{p:n}` (sorted sets: expiry
 * member -> time). PresentityIndex and WatcherRecords write them.
 */
export class ExpiryRecords implements ExpiryIndex {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async dueExpiries(partition: number, now: number, limit: number): Promise<DueExpiry[]> {
    this.calls.assertOpen();
    const count = Math.floor(limit);
    if (!(count > 0)) return [];
    const reply = await this.calls.run('dueExpiries', () =>
      this.client.zrangebyscore(this.keys.expiry(partition), '-inf', scoreBound(now), 'WITHSCORES', 'LIMIT', 0, Number.isFinite(count) ? count : -1),
    );
    const due: DueExpiry[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const entry = decodeExpiryMember(reply[i] as string, Number(reply[i + 1]));
      if (entry !== undefined) due.push(entry);
    }
    return due;
  }

  /**
   * HLEN of the partition's pending-revision hash `exp:{p:n}:rev`, which
   * holds one field per presentity entry of the index and nothing else
   * (PresentityIndex writes and removes both together; watcher entries
   * have no field): counting presentity entries without walking the index.
   */
  async publishedPresentities(partition: number): Promise<number> {
    return this.calls.run('publishedPresentities', () => this.client.hlen(this.keys.expiryRevisions(partition)));
  }
}
