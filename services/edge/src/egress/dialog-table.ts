import type { WatcherDialog } from './watcher-dialog.js';

/** The dialogs of this edge, by id and by watched presentity (for fan-out). */
export class DialogTable {
  private readonly byId = new Map<string, WatcherDialog>();
  private readonly byPresentity = new Map<string, Set<WatcherDialog>>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): WatcherDialog | undefined {
    return this.byId.get(id);
  }

  /** Returns true when this is the first dialog watching the presentity. */
  add(dialog: WatcherDialog): boolean {
    this.byId.set(dialog.id, dialog);
    let watchers = this.byPresentity.get(dialog.presentity);
    const first = watchers === undefined;
    if (!watchers) this.byPresentity.set(dialog.presentity, (watchers = new Set()));
    watchers.add(dialog);
    return first;
  }

  /** Returns true when the presentity has no dialog left here. */
  remove(dialog: WatcherDialog): boolean {
    if (this.byId.get(dialog.id) !== dialog) return false;
    this.byId.delete(dialog.id);
    const watchers = this.byPresentity.get(dialog.presentity);
    watchers?.delete(dialog);
    if (watchers && watchers.size === 0) {
      this.byPresentity.delete(dialog.presentity);
      return true;
    }
    return false;
  }

  watchersOf(presentity: string): ReadonlySet<WatcherDialog> {
    return this.byPresentity.get(presentity) ?? EMPTY;
  }

  all(): IterableIterator<WatcherDialog> {
    return this.byId.values();
  }
}

const EMPTY: ReadonlySet<WatcherDialog> = new Set();
