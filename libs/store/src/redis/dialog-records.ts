import type { Clock, DialogRecord, DialogStore } from '@presence/core';
import type { RedisCalls } from './redis-calls.js';
import { decodeDialog, encodeDialog } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { ttlFrom } from './redis-times.js';

/**
 * Mirrored dialogs in `dlg:{id}`, soft state with a key TTL of expiresAt +
 * grace from the injected clock; reads also judge lapse by the clock.
 */
export class DialogRecords implements DialogStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
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
    await this.calls.run('saveDialog', () => this.client.set(key, encodeDialog(dialog), 'PX', ttlFrom(lapse, now)));
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
