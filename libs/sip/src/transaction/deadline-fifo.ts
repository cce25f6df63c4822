/**
 * Timers that all share one duration, behind a single Node timer.
 *
 * With a fixed duration and a monotonic clock, deadlines fall due in the order
 * they were scheduled, so a ring queue replaces a per-entry setTimeout: no
 * Timeout object or closure per transaction, O(1) schedule and cancel. A
 * handle is the entry's sequence number, so cancelling an entry that has
 * already fired (or been dropped by stop()) is a harmless no-op.
 */

/** No handle: cancel(NO_TIMER) does nothing. */
export const NO_TIMER = -1;

/** Entries fired per Node timer callback before yielding to I/O; a burst of deadlines is spread over several callbacks. */
const BATCH = 2048;
/** Node may fire a timer up to ~1 ms early relative to performance.now() (libuv caches the loop time). */
const EARLY_MS = 1;
const MIN_CAPACITY = 16;

export class DeadlineFifo<T extends object> {
  private items: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
  private deadlines = new Float64Array(MIN_CAPACITY);
  private head = 0;
  private count = 0;
  /** Sequence number of the entry at head; entry seq sits at (head + seq - headSeq) in the ring. */
  private headSeq = 0;
  /** Entries not cancelled; when it drops to 0 the rest are dropped so the timer does not keep the process alive. */
  private live = 0;
  private timer: NodeJS.Timeout | undefined;
  private firing = false;

  constructor(
    readonly delay: number,
    private readonly fire: (item: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Entries scheduled and neither fired nor cancelled. */
  get size(): number {
    return this.live;
  }

  /**
   * Calls fire(item) `delay` ms after `from` (default now; never earlier than
   * an entry already queued, which keeps the queue in deadline order);
   * returns a handle for cancel().
   */
  schedule(item: T, from?: number): number {
    if (this.count === this.items.length) this.resize(2 * this.items.length);
    const slot = (this.head + this.count) & (this.items.length - 1);
    this.items[slot] = item;
    const deadline = (from ?? this.now()) + this.delay;
    const last = this.count === 0 ? -Infinity : this.deadlines[(slot - 1) & (this.items.length - 1)]!;
    this.deadlines[slot] = deadline < last ? last : deadline;
    this.count++;
    this.live++;
    if (this.timer === undefined && !this.firing) this.arm(this.deadlines[slot]! - this.now());
    return this.headSeq + this.count - 1;
  }

  cancel(handle: number): void {
    const offset = handle - this.headSeq;
    if (offset < 0 || offset >= this.count) return;
    const slot = (this.head + offset) & (this.items.length - 1);
    if (this.items[slot] === undefined) return;
    // The slot stays queued until its deadline; only the reference is released now.
    this.items[slot] = undefined;
    if (--this.live === 0) this.stop(); // only cancelled slots left: no timer should keep the process alive
  }

  private onTimer(): void {
    this.timer = undefined;
    this.firing = true;
    try {
      const due = this.now() + EARLY_MS;
      for (let budget = BATCH; budget > 0 && this.count > 0; budget--) {
        const item = this.items[this.head];
        if (item !== undefined && this.deadlines[this.head]! > due) break;
        this.pop();
        if (item !== undefined) {
          this.live--;
          this.fire(item);
        }
      }
    } finally {
      this.firing = false;
      // Re-armed even if fire() threw, or the remaining entries would never fire.
      if (this.count > 0 && this.timer === undefined) this.arm(this.deadlines[this.head]! - this.now());
    }
  }

  private pop(): void {
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.headSeq++;
    this.count--;
    // Give back memory after a burst; amortized O(1) like the growth.
    if (this.count < this.items.length >>> 2 && this.items.length > MIN_CAPACITY) this.resize(this.items.length >>> 1);
  }

  /** Cancels every entry and the Node timer; O(1) when all are already cancelled (the cancel() case). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length > MIN_CAPACITY) {
      this.items = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
      this.deadlines = new Float64Array(MIN_CAPACITY);
    } else if (this.live > 0) this.items.fill(undefined);
    this.headSeq += this.count;
    this.head = 0;
    this.count = 0;
    this.live = 0;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.ceil(ms)));
  }

  /** Capacity stays a power of two so a slot is an index & mask. */
  private resize(capacity: number): void {
    const items = new Array<T | undefined>(capacity).fill(undefined);
    const deadlines = new Float64Array(capacity);
    const mask = this.items.length - 1;
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & mask;
      items[i] = this.items[from];
      deadlines[i] = this.deadlines[from]!;
    }
    this.items = items;
    this.deadlines = deadlines;
    this.head = 0;
  }
}
