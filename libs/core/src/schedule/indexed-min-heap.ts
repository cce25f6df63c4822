/**
 * Binary min-heap of (key, time) with a key -> slot map, the in-memory
 * stand-in for a Redis sorted set scored by time. Ordered by time, then key.
 *
 * Complexity (n entries): set / delete O(log n); has / timeOf / peek O(1);
 * ascending(maxAt, limit) returns the k <= limit earliest entries up to maxAt
 * in O(k log k) without removing them (best-first walk of the heap tree: an
 * entry's children are only looked at once the entry itself has been taken).
 * Storage is two parallel arrays plus the map: no object per entry.
 */
export class IndexedMinHeap {
  private readonly keys: string[] = [];
  private readonly times: number[] = [];
  private readonly slots = new Map<string, number>();

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  timeOf(key: string): number | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.times[slot];
  }

  /** Inserts the key or moves it to the new time. */
  set(key: string, at: number): void {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      const last = this.keys.length;
      this.keys.push(key);
      this.times.push(at);
      this.slots.set(key, last);
      this.siftUp(last);
      return;
    }
    const before = this.times[slot] as number;
    this.times[slot] = at;
    if (at < before) this.siftUp(slot);
    else if (at > before) this.siftDown(slot);
  }

  /** Removes the key; false when it was not there. */
  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    const last = this.keys.length - 1;
    const lastKey = this.keys.pop() as string;
    const lastTime = this.times.pop() as number;
    if (slot !== last) {
      this.keys[slot] = lastKey;
      this.times[slot] = lastTime;
      this.slots.set(lastKey, slot);
      this.siftDown(slot);
      this.siftUp(slot);
    }
    return true;
  }

  /** Key and time of the earliest entry. */
  peekKey(): string | undefined {
    return this.keys[0];
  }

  peekTime(): number | undefined {
    return this.times[0];
  }

  /** Entries with time <= maxAt, earliest first, at most `limit`; the heap is left as it is. */
  ascending(maxAt: number, limit: number, take: (key: string, at: number) => void): void {
    if (limit <= 0 || this.keys.length === 0 || (this.times[0] as number) > maxAt) return;
    // Frontier of heap slots still to visit, itself a small min-heap of slots.
    const frontier: number[] = [0];
    let taken = 0;
    while (frontier.length > 0 && taken < limit) {
      const slot = this.popFrontier(frontier);
      take(this.keys[slot] as string, this.times[slot] as number);
      taken++;
      const left = 2 * slot + 1;
      if (left < this.keys.length && (this.times[left] as number) <= maxAt) this.pushFrontier(frontier, left);
      if (left + 1 < this.keys.length && (this.times[left + 1] as number) <= maxAt) this.pushFrontier(frontier, left + 1);
    }
  }

  clear(): void {
    this.keys.length = 0;
    this.times.length = 0;
    this.slots.clear();
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.keys[a] as string) < (this.keys[b] as string));
  }

  private swap(a: number, b: number): void {
    const key = this.keys[a] as string;
    const time = this.times[a] as number;
    this.keys[a] = this.keys[b] as string;
    this.times[a] = this.times[b] as number;
    this.keys[b] = key;
    this.times[b] = time;
    this.slots.set(this.keys[a] as string, a);
    this.slots.set(key, b);
  }

  private siftUp(slot: number): void {
    let i = slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(slot: number): void {
    let i = slot;
    const n = this.keys.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.less(left, smallest)) smallest = left;
      if (right < n && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private pushFrontier(frontier: number[], slot: number): void {
    frontier.push(slot);
    let i = frontier.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(frontier[i] as number, frontier[parent] as number)) break;
      [frontier[i], frontier[parent]] = [frontier[parent] as number, frontier[i] as number];
      i = parent;
    }
  }

  private popFrontier(frontier: number[]): number {
    const top = frontier[0] as number;
    const last = frontier.pop() as number;
    if (frontier.length > 0) {
      frontier[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < frontier.length && this.less(frontier[left] as number, frontier[smallest] as number)) smallest = left;
        if (right < frontier.length && this.less(frontier[right] as number, frontier[smallest] as number)) smallest = right;
        if (smallest === i) break;
        [frontier[i], frontier[smallest]] = [frontier[smallest] as number, frontier[i] as number];
        i = smallest;
      }
    }
    return top;
  }
}
