import type { DialogRecord } from '../model/dialog-record.js';

/** Mirror of notifier dialogs held by edges, soft state that lapses at `expiresAt` (+ grace). */
export interface DialogStore {
  saveDialog(dialog: DialogRecord): Promise<void>;
  loadDialog(subscriptionId: string): Promise<DialogRecord | undefined>;
  deleteDialog(subscriptionId: string): Promise<void>;
}
