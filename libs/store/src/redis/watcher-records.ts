import type { Page, WatcherRecord, WatcherStore } from '@presence/core';
import { watcherMember } from '../expiry-member.js';
import type { RedisCalls } from './redis-calls.js';
import { decodeWatcher, encodeWatcher } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/** Fields asked for per HSCAN step when listing a presentity's watchers. */
const SCAN_COUNT = 100;

/**
 * Watchers in `pres:{aor}:watchers` (subscription id -> watcher), each with
 * an entry in its partition's expiry index. The entry is written before the
 * record and removed after it, so a crash in between leaves an entry for
 * nothing (the sweep's removeWatcher finds nothing), never a record the
 * sweep cannot see.
 */
export class WatcherRecords implements WatcherStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
  ) {}

  async putWatcher(partition: number, watcher: WatcherRecord): Promise<WatcherRecord | undefined> {
    const member = watcherMember(watcher.presentity, watcher.subscriptionId);
    const key = this.keys.watchers(watcher.presentity);
    await this.calls.run('putWatcher', () => this.client.zadd(this.keys.expiry(partition), watcher.expiresAt, member));
    const previous = (await this.calls.run('putWatcher', () =>
      this.scripts['hash-swap']([key], [watcher.subscriptionId, encodeWatcher(partition, watcher)]),
    )) as string | null;
    if (previous === null) return undefined;
    const replaced = decodeWatcher(key, watcher.presentity, watcher.subscriptionId, previous);
    if (replaced.partition !== partition) {
      await this.calls.bestEffort('putWatcher move', () => this.client.zrem(this.keys.expiry(replaced.partition), member));
    }
    return replaced.record;
  }

  /** HLEN for the total, then HSCAN steps until `limit` records: never the whole hash at once. */
  async watchersOf(presentity: string, limit: number): Promise<Page<WatcherRecord>> {
    const key = this.keys.watchers(presentity);
    const total = await this.calls.run('watchersOf', () => this.client.hlen(key));
    const items: WatcherRecord[] = [];
    let cursor = '0';
    while (items.length < limit) {
      const [next, flat] = await this.calls.run('watchersOf', () => this.client.hscan(key, cursor, 'COUNT', SCAN_COUNT));
      for (let i = 0; i + 1 < flat.length && items.length < limit; i += 2) {
        items.push(decodeWatcher(key, presentity, flat[i]!, flat[i + 1]!).record);
      }
      cursor = next;
      if (cursor === '0') break;
    }
    return { total, items };
  }

  async removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined> {
    const member = watcherMember(presentity, subscriptionId);
    const key = this.keys.watchers(presentity);
    const taken = (await this.calls.run('removeWatcher', () => this.scripts['hash-take']([key], [subscriptionId]))) as string | null;
    if (taken === null) {
      await this.calls.run('removeWatcher', () => this.client.zrem(this.keys.expiry(partition), member));
      return undefined;
    }
    const entry = decodeWatcher(key, presentity, subscriptionId, taken);
    // The record is gone: a leftover index entry is harmless (it finds nothing), so these are best effort.
    await this.calls.bestEffort('removeWatcher', () => this.client.zrem(this.keys.expiry(partition), member));
    if (entry.partition !== partition) {
      await this.calls.bestEffort('removeWatcher', () => this.client.zrem(this.keys.expiry(entry.partition), member));
    }
    return entry.record;
  }
}
