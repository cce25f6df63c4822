import type { Clock, OfflineMessage, OfflineMessages, OfflineMessageStore, OfflineQueueLimits, OfflineStoreOutcome, StoredMessage } from '@presence/core';
import { decodeOfflineMessage, encodeOfflineMessage } from '../offline-message-codec.js';
import { assertOfflineLimits, assertPositiveTtl } from '../ttl-check.js';
import { assertListLimit } from '../user-record-check.js';
import { CorruptRecordError } from './corrupt-record-error.js';
import type { RedisCalls } from './redis-calls.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/**
 * Offline MESSAGE queues: one list per recipient, `im:{aor}:offline`, its id
 * sequence and delivery lock beside it in the same slot, each change one Lua
 * script; `im:pending` lists the recipients with a queue for the sweep.
 * That index is another slot, so it is written around the queue: added
 * before a store (an entry without a queue is harmless: the sweep finds it
 * empty and drops it), dropped after the queue emptied and put back if a
 * message arrived meanwhile.
 */
export class OfflineMessageRecords implements OfflineMessageStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly clock: Clock,
  ) {}

  async storeOfflineMessage(recipient: string, message: StoredMessage, limits: OfflineQueueLimits): Promise<OfflineStoreOutcome> {
    this.calls.assertOpen();
    assertOfflineLimits(limits);
    const now = this.clock.now();
    const ttlMs = Math.max(1, Math.ceil(limits.ttlMs));
    await this.calls.run('storeOfflineMessage', () => this.client.zadd(this.keys.offlinePending(), 'NX', 0, recipient));
    const fields = encodeOfflineMessage(message, { storedAt: now, expiresAt: now + limits.ttlMs });
    const keys = [this.keys.offlineQueue(recipient), this.keys.offlineSequence(recipient)];
    const [stored, id, expired] = (await this.calls.run('storeOfflineMessage', () => this.scripts['offline-queue'](keys, ['store', now, limits.maxMessages, ttlMs, fields]))) as [number, string, number];
    return stored === 1 ? { stored: true, id, expired } : { stored: false, reason: 'full', expired };
  }

  async offlineMessages(recipient: string, limit: number): Promise<OfflineMessages> {
    this.calls.assertOpen();
    assertListLimit(limit, 'offlineMessages');
    if (limit === 0) return { messages: [], expired: 0 };
    const key = this.keys.offlineQueue(recipient);
    const keys = [key, this.keys.offlineSequence(recipient)];
    const [expired, ...entries] = (await this.calls.run('offlineMessages', () => this.scripts['offline-queue'](keys, ['read', this.clock.now(), limit]))) as [number, ...string[]];
    const messages: OfflineMessage[] = entries.map((text) => decodeOfflineMessage(text, 'offline message', (problem) => new CorruptRecordError(key, problem.message)).message);
    return { messages, expired };
  }

  async removeOfflineMessage(recipient: string, id: string): Promise<void> {
    this.calls.assertOpen();
    const left = (await this.calls.run('removeOfflineMessage', () => this.scripts['offline-remove']([this.keys.offlineQueue(recipient)], [id]))) as number;
    if (left > 0) return;
    await this.forgetIfEmpty(recipient, 'removeOfflineMessage');
  }

  async offlineRecipients(limit: number, after?: string): Promise<string[]> {
    this.calls.assertOpen();
    assertListLimit(limit, 'offlineRecipients');
    if (limit === 0) return [];
    const from = after === undefined ? '-' : `(${after}`;
    const recipients = await this.calls.run('offlineRecipients', () => this.client.zrangebylex(this.keys.offlinePending(), from, '+', 'LIMIT', 0, limit));
    const live: string[] = [];
    for (const recipient of recipients) {
      const length = await this.calls.run('offlineRecipients', () => this.client.llen(this.keys.offlineQueue(recipient)));
      if (length > 0) live.push(recipient);
      else await this.forgetIfEmpty(recipient, 'offlineRecipients');
    }
    return live;
  }

  async acquireDeliveryLock(recipient: string, owner: string, ttlMs: number): Promise<boolean> {
    this.calls.assertOpen();
    assertPositiveTtl('delivery lock ttlMs', ttlMs);
    const taken = await this.calls.run('acquireDeliveryLock', () => this.scripts['owner-lock']([this.keys.offlineLock(recipient)], [owner, Math.max(1, Math.ceil(ttlMs))]));
    return taken === 1;
  }

  async releaseDeliveryLock(recipient: string, owner: string): Promise<void> {
    this.calls.assertOpen();
    await this.calls.run('releaseDeliveryLock', () => this.scripts['owner-unlock']([this.keys.offlineLock(recipient)], [owner]));
  }

  /** Drops the recipient from the pending index, then puts it back if a store raced in between. */
  private async forgetIfEmpty(recipient: string, operation: string): Promise<void> {
    const pending = this.keys.offlinePending();
    await this.calls.run(operation, () => this.client.zrem(pending, recipient));
    const length = await this.calls.run(operation, () => this.client.llen(this.keys.offlineQueue(recipient)));
    if (length > 0) await this.calls.run(operation, () => this.client.zadd(pending, 'NX', 0, recipient));
  }
}
