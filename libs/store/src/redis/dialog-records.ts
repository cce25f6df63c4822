import { createHash } from 'node:crypto';
import type { Clock, DialogRecord, DialogStore } from '@presence/core';
import type { RedisCalls } from './redis-calls.js';
import { decodeDialog, encodeDialog } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';
import { ttlFrom } from './redis-times.js';

/** Fields asked for per HSCAN step of a Call-ID bucket (a listpack bucket answers whole in one step). */
const SCAN_COUNT = 100;

/**
 * Buckets of the Call-ID index: a power of two dividing 2^16 (even spread).
 * Up to ~2M dialogs a bucket holds at most ~512 entries, Redis's default
 * hash-max-listpack-entries, so it stays a listpack.
 */
export const DIALOG_INDEX_BUCKETS = 4096;

/** Base64url characters of a Call-ID's tag (6 digest bytes): collisions only cost a read the Call-ID check drops. */
const CALL_ID_TAG_LENGTH = 8;

/** Where a Call-ID's entries live: its bucket, and the tag its fields start with. */
export function callIdIndexEntry(callId: string): { bucket: number; tag: string } {
  const digest = createHash('sha256').update(callId).digest();
  return { bucket: digest.readUInt16BE(0) % DIALOG_INDEX_BUCKETS, tag: digest.toString('base64url', 2, 8) };
}

/**
 * Mirrored dialogs in `dlg:{id}`, soft state with a key TTL of expiresAt +
 * grace from the injected clock; reads also judge lapse by the clock. Each
 * save also indexes the dialog under its Call-ID beside the SET (operators
 * look dialogs up by the Call-ID of a trace): a field `<tag><id>` in one of
 * DIALOG_INDEX_BUCKETS hashes `dlgcalls:{n}`, valued with its lapse, where
 * a set per Call-ID cost ~320 bytes a dialog (a one-member set is a
 * hashtable in Redis 7.0). An entry whose dialog is gone is skipped and
 * dropped when read; lapsed ones are also dropped by later saves to the
 * bucket (dialog-index-add.lua), and a bucket lapses with its latest entry.
 * Dialogs indexed by the former `dlgcall:{call-id}` sets (written before
 * this layout) are not found by Call-ID until their next refresh indexes
 * them here; their mirror itself reads as before.
 */
export class DialogRecords implements DialogStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  async saveDialog(dialog: DialogRecord): Promise<void> {
    const key = this.keys.dialog(dialog.subscriptionId);
    const lapse = dialog.expiresAt + this.graceMs;
    const now = this.clock.now();
    if (lapse <= now) {
      await this.calls.run('saveDialog', () => this.client.del(key));
      return;
    }
    const ttl = ttlFrom(lapse, now);
    const { bucket, tag } = callIdIndexEntry(dialog.callId);
    const index = this.keys.dialogIndex(bucket);
    // Side by side (one round trip of time), and awaited: a lookup right after the save must find it,
    // which a background write does not promise (a script's first use on a node is retried as EVAL).
    await Promise.all([
      this.calls.run('saveDialog', () => this.client.set(key, encodeDialog(dialog), 'PX', ttl)),
      this.calls.bestEffort('saveDialog Call-ID index', () =>
        this.scripts['dialog-index-add']([index], [tag + dialog.subscriptionId, Math.ceil(lapse).toString(36), Math.floor(now).toString(36), ttl]),
      ),
    ]);
  }

  async dialogsByCallId(callId: string, limit: number): Promise<DialogRecord[]> {
    const { bucket, tag } = callIdIndexEntry(callId);
    const index = this.keys.dialogIndex(bucket);
    const found: DialogRecord[] = [];
    let cursor = '0';
    do {
      // The tag is base64url: no glob character to escape.
      const [next, flat] = await this.calls.run('dialogsByCallId', () => this.client.hscan(index, cursor, 'MATCH', `${tag}*`, 'COUNT', SCAN_COUNT));
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) {
        if (found.length === limit) return found;
        const field = flat[i]!;
        const dialog = await this.loadDialog(field.slice(CALL_ID_TAG_LENGTH));
        if (dialog === undefined) await this.calls.bestEffort('dialogsByCallId prune', () => this.client.hdel(index, field));
        else if (dialog.callId === callId) found.push(dialog);
      }
    } while (cursor !== '0' && found.length < limit);
    return found;
  }

  async loadDialog(subscriptionId: string): Promise<DialogRecord | undefined> {
    const key = this.keys.dialog(subscriptionId);
    const text = await this.calls.run('loadDialog', () => this.client.get(key));
    if (text === null) return undefined;
    const dialog = decodeDialog(key, subscriptionId, text);
    return dialog.expiresAt + this.graceMs <= this.clock.now() ? undefined : dialog;
  }

  async deleteDialog(subscriptionId: string): Promise<void> {
    await this.calls.run('deleteDialog', () => this.client.del(this.keys.dialog(subscriptionId)));
  }
}
