/** What the queue orders: the entry carries its own time and its position in the queue. */
export interface Expiring {
  readonly id: string;
  /** While queued, changed only together with a set() that moves the entry. */
  readonly expiresAt: number;
  /** Index in the queue's heap; -1 when not queued. Only the queue writes it. */
  expirySlot: number;
}

/**
 * Binary min-heap of entries by expiresAt (then id), each entry knowing its
 * own slot: unlike a heap keyed by id (IndexedMinHeap), no Map from key to
 * slot and no copy of the key or time, which matters at one entry per
 * subscription. set / delete O(log n), peek O(1).
 */
export class ExpiryQueue<T extends Expiring> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  /** Queues the entry, or moves it after its expiresAt changed. */
  set(entry: T): void {
    if (entry.expirySlot < 0) {
      entry.expirySlot = this.heap.length;
      this.heap.push(entry);
    }
    this.siftUp(entry.expirySlot);
    this.siftDown(entry.expirySlot);
  }

  /** Removes the entry; false when it was not queued. */
  delete(entry: T): boolean {
    const slot = entry.expirySlot;
    if (slot < 0) return false;
    entry.expirySlot = -1;
    const last = this.heap.pop() as T;
    if (last !== entry) {
      this.place(last, slot);
      this.siftUp(slot);
      this.siftDown(slot);
    }
    return true;
  }

  private before(a: T, b: T): boolean {
    return a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.id < b.id);
  }

  private place(entry: T, slot: number): void {
    this.heap[slot] = entry;
    entry.expirySlot = slot;
  }

  private siftUp(slot: number): void {
    const entry = this.heap[slot] as T;
    let i = slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = this.heap[parent] as T;
      if (!this.before(entry, above)) break;
      this.place(above, i);
      i = parent;
    }
    this.place(entry, i);
  }

  private siftDown(slot: number): void {
    const entry = this.heap[slot] as T;
    const n = this.heap.length;
    let i = slot;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(this.heap[right] as T, this.heap[left] as T) ? right : left;
      const below = this.heap[child] as T;
      if (!this.before(below, entry)) break;
      this.place(below, i);
      i = child;
    }
    this.place(entry, i);
  }
}
