import type { Page, WatcherPut, WatcherRecord, WatcherStore } from '@presence/core';
import { watcherMember } from '../expiry-member.js';
import type { RedisCalls } from './redis-calls.js';
import { decodePresentity, decodeWatcher, encodeWatcher } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/** watcher-put-read.lua's reply: the previous record, then the presentity's rev, ver, doc, pubs, inc (null where absent). */
type PutReadReply = [string | null, ...(string | null)[]];

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
    const key = this.keys.watchers(watcher.presentity);
    await this.index('putWatcher', partition, watcher);
    const previous = (await this.calls.run('putWatcher', () =>
      this.scripts['hash-swap']([key], [watcher.subscriptionId, encodeWatcher(partition, watcher)]),
    )) as string | null;
    return this.replaced(partition, watcher, previous);
  }

  /**
   * putWatcher with the presentity read in the same script (watcher-put-read.lua:
   * both keys in the presentity's slot). On one Redis node the script goes
   * down the one connection right behind the index entry, which Redis runs
   * first, without waiting for its reply (as the presentity commit does):
   * one round trip instead of three. A Redis Cluster keeps the index on
   * another node, so there the script waits for the entry.
   */
  async putWatcherAndLoad(partition: number, watcher: WatcherRecord): Promise<WatcherPut> {
    const key = this.keys.watchers(watcher.presentity);
    const presentityKey = this.keys.presentity(watcher.presentity);
    const put = (): Promise<PutReadReply> =>
      this.calls.run('putWatcherAndLoad', () =>
        this.scripts['watcher-put-read']([key, presentityKey], [watcher.subscriptionId, encodeWatcher(partition, watcher)]),
      ) as Promise<PutReadReply>;
    const indexed = this.index('putWatcherAndLoad', partition, watcher);
    let reply: PutReadReply;
    if (this.client.isCluster) {
      await indexed;
      reply = await put();
    } else {
      const [entry, written] = await Promise.allSettled([indexed, put()]);
      if (written.status === 'rejected') throw entry.status === 'rejected' ? entry.reason : written.reason;
      // The record stands: its entry is written again, so the sweep still sees it; only a second refusal fails the call.
      if (entry.status === 'rejected') await this.index('putWatcherAndLoad', partition, watcher);
      reply = written.value;
    }
    const [previous, ...fields] = reply;
    return { previous: await this.replaced(partition, watcher, previous), state: decodePresentity(presentityKey, watcher.presentity, fields) };
  }

  /** The expiry entry of a watcher, written before its record (see the class comment). */
  private index(operation: string, partition: number, watcher: WatcherRecord): Promise<unknown> {
    const member = watcherMember(watcher.presentity, watcher.subscriptionId);
    return this.calls.run(operation, () => this.client.zadd(this.keys.expiry(partition), watcher.expiresAt, member));
  }

  /** The record a put replaced; its index entry is dropped when it was in another partition's index. */
  private async replaced(partition: number, watcher: WatcherRecord, previous: string | null): Promise<WatcherRecord | undefined> {
    if (previous === null) return undefined;
    const replaced = decodeWatcher(this.keys.watchers(watcher.presentity), watcher.presentity, watcher.subscriptionId, previous);
    if (replaced.partition !== partition) {
      const member = watcherMember(watcher.presentity, watcher.subscriptionId);
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
