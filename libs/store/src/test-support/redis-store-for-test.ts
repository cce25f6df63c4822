import type { Clock, Lease, WatcherRecord } from '@presence/core';
import { decodeWatcher } from '../redis/redis-codec.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { type RedisStore, type RedisStoreOptions, openRedisStore } from '../redis/redis-store.js';
import type { StoreInspector } from './store-inspector.js';

/** createRedisStore for tests: the same store, with an inspector reading its keys over the store's client. */
export async function openRedisStoreForTest(options: RedisStoreOptions): Promise<{ store: RedisStore; inspect: StoreInspector }> {
  const { store, client, keys } = await openRedisStore(options);
  return { store, inspect: new KeyInspector(client, keys, options.clock) };
}

class KeyInspector implements StoreInspector {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  async nextExpiry(partition: number): Promise<number | undefined> {
    const reply = await this.client.zrange(this.keys.expiry(partition), 0, 0, 'WITHSCORES');
    return reply.length >= 2 ? Number(reply[1]) : undefined;
  }

  async leaseHolder(partition: number): Promise<Lease | undefined> {
    const [owner, epoch, expiresAt] = await this.client.hmget(this.keys.lease(partition), 'owner', 'epoch', 'expiresAt');
    if (typeof owner !== 'string' || typeof epoch !== 'string' || typeof expiresAt !== 'string') return undefined;
    const lease = { partition, owner, epoch: Number(epoch), expiresAt: Number(expiresAt) };
    return lease.expiresAt > this.clock.now() ? lease : undefined;
  }

  async listWatchers(presentity: string): Promise<WatcherRecord[]> {
    const key = this.keys.watchers(presentity);
    const all = await this.client.hgetall(key);
    return Object.entries(all).map(([subscriptionId, text]) => decodeWatcher(key, presentity, subscriptionId, text).record);
  }
}
