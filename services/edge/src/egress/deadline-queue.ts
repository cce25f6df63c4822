/**
 * Min-heap of (deadline, key) with lazy deletion: rescheduling or cancelling a
 * key only records its current deadline; stale heap entries are skipped when
 * they surface. O(log n) per schedule, no timer per entry — the edge drives
 * expiry of every dialog it holds from one timer at the earliest deadline.
 */
export class DeadlineQueue {
  private heap: { at: number; key: string }[] = [];
  private readonly current = new Map<string, number>();

  get size(): number {
    return this.current.size;
  }

  schedule(key: string, at: number): void {
    this.current.set(key, at);
    this.heap.push({ at, key });
    this.siftUp(this.heap.length - 1);
    if (this.heap.length > 64 && this.heap.length > 4 * this.current.size) this.compact();
  }

  cancel(key: string): void {
    this.current.delete(key);
  }

  /** Earliest live deadline, if any. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** Removes and returns the keys due at `now`, at most `limit`. */
  takeDue(now: number, limit: number): string[] {
    const due: string[] = [];
    while (due.length < limit) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      this.current.delete(top.key);
      due.push(top.key);
    }
    return due;
  }

  private dropStale(): void {
    for (let top = this.heap[0]; top && this.current.get(top.key) !== top.at; top = this.heap[0]) this.pop();
  }

  private compact(): void {
    this.heap = [...this.current].map(([key, at]) => ({ key, at }));
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last && this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.at <= item.at) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = item;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && heap[child + 1]!.at < heap[child]!.at) child++;
      if (heap[child]!.at >= item.at) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = item;
  }
}
