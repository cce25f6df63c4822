import type { DialogRecord } from '@presence/core';
import { IndexedMinHeap } from '@presence/core';

/**
 * Mirrored notifier dialogs, soft state like Redis `dlg:{id}` with TTL =
 * expiresAt + grace: a dialog lapses (reads give undefined) once the clock
 * reaches expiresAt + graceMs. The grace lets an edge adopt a dialog whose
 * refresh is late. reap() drops lapsed dialogs from a heap, without scanning.
 */
export class DialogTable {
  private readonly dialogs = new Map<string, DialogRecord>();
  private readonly lapses = new IndexedMinHeap();

  constructor(private readonly graceMs: number) {}

  get size(): number {
    return this.dialogs.size;
  }

  save(dialog: DialogRecord, clockNow: number): void {
    const lapse = dialog.expiresAt + this.graceMs;
    if (lapse <= clockNow) {
      this.delete(dialog.subscriptionId);
      return;
    }
    this.dialogs.set(dialog.subscriptionId, Object.freeze({ ...dialog, routeSet: Object.freeze([...dialog.routeSet]) }));
    this.lapses.set(dialog.subscriptionId, lapse);
  }

  load(subscriptionId: string, clockNow: number): DialogRecord | undefined {
    const dialog = this.dialogs.get(subscriptionId);
    if (dialog === undefined) return undefined;
    if ((this.lapses.timeOf(subscriptionId) as number) <= clockNow) {
      this.delete(subscriptionId);
      return undefined;
    }
    return dialog;
  }

  delete(subscriptionId: string): void {
    this.dialogs.delete(subscriptionId);
    this.lapses.delete(subscriptionId);
  }

  /** Drops every dialog lapsed by `clockNow`; returns how many. */
  reap(clockNow: number): number {
    let dropped = 0;
    for (let at = this.lapses.peekTime(); at !== undefined && at <= clockNow; at = this.lapses.peekTime()) {
      this.delete(this.lapses.peekKey() as string);
      dropped++;
    }
    return dropped;
  }

  values(): IterableIterator<DialogRecord> {
    return this.dialogs.values();
  }
}
