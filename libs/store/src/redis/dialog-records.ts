import type { Clock, DialogRecord, DialogStore } from '@presence/core';
import type { RedisCalls } from './redis-calls.js';
import { decodeDialog, encodeDialog } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';
import { ttlFrom } from './redis-times.js';

/** Members asked for per SSCAN step of the Call-ID index. */
const SCAN_COUNT = 100;

/**
 * Mirrored dialogs in `dlg:{id}`, soft state with a key TTL of expiresAt +
 * grace from the injected clock; reads also judge lapse by the clock. Each
 * save also adds the id to `dlgcall:{call-id}` beside the SET (operators
 * look dialogs up by the Call-ID of a trace); a member whose dialog is gone
 * is skipped and pruned when read, and the set lapses with its last dialog.
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
    const index = this.keys.dialogsOfCall(dialog.callId);
    // Side by side (one round trip of time), and awaited: a lookup right after the save must find it,
    // which a background write does not promise (a script's first use on a node is retried as EVAL).
    await Promise.all([
      this.calls.run('saveDialog', () => this.client.set(key, encodeDialog(dialog), 'PX', ttl)),
      this.calls.bestEffort('saveDialog Call-ID index', () => this.scripts['set-add-expire']([index], [dialog.subscriptionId, ttl])),
    ]);
  }

  async dialogsByCallId(callId: string, limit: number): Promise<DialogRecord[]> {
    const index = this.keys.dialogsOfCall(callId);
    const found: DialogRecord[] = [];
    let cursor = '0';
    do {
      const [next, ids] = await this.calls.run('dialogsByCallId', () => this.client.sscan(index, cursor, 'COUNT', SCAN_COUNT));
      cursor = next;
      for (const id of ids) {
        if (found.length === limit) return found;
        const dialog = await this.loadDialog(id);
        if (dialog === undefined) await this.calls.bestEffort('dialogsByCallId prune', () => this.client.srem(index, id));
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
