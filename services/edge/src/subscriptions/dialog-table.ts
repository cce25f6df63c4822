import type { WatcherDialog } from './watcher-dialog.js';

/**
 * The dialogs of this edge, by id and by watched presentity (for fan-out).
 * The dialogs watching one presentity form a list through their own
 * previousWatcher / nextWatcher links, headed from the map: no Set per
 * presentity, which costs far more than two links when an edge holds few
 * watchers of each.
 */
export class DialogTable {
  private readonly byId = new Map<string, WatcherDialog>();
  private readonly firstByPresentity = new Map<string, WatcherDialog>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): WatcherDialog | undefined {
    return this.byId.get(id);
  }

  /** Returns true when this is the first dialog watching the presentity. */
  add(dialog: WatcherDialog): boolean {
    if (this.byId.get(dialog.id) === dialog) return false;
    this.byId.set(dialog.id, dialog);
    const first = this.firstByPresentity.get(dialog.presentity);
    dialog.nextWatcher = first;
    if (first !== undefined) first.previousWatcher = dialog;
    this.firstByPresentity.set(dialog.presentity, dialog);
    return first === undefined;
  }

  /** Returns true when the presentity has no dialog left here. */
  remove(dialog: WatcherDialog): boolean {
    if (this.byId.get(dialog.id) !== dialog) return false;
    this.byId.delete(dialog.id);
    const { previousWatcher: previous, nextWatcher: next } = dialog;
    dialog.previousWatcher = dialog.nextWatcher = undefined;
    if (next !== undefined) next.previousWatcher = previous;
    if (previous !== undefined) previous.nextWatcher = next;
    else if (next !== undefined) this.firstByPresentity.set(dialog.presentity, next);
    else this.firstByPresentity.delete(dialog.presentity);
    return previous === undefined && next === undefined;
  }

  /** The dialogs watching the presentity; the one just returned may be removed meanwhile. */
  *watchersOf(presentity: string): IterableIterator<WatcherDialog> {
    let dialog = this.firstByPresentity.get(presentity);
    while (dialog !== undefined) {
      const next = dialog.nextWatcher;
      yield dialog;
      dialog = next;
    }
  }

  all(): IterableIterator<WatcherDialog> {
    return this.byId.values();
  }
}
