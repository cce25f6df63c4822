import { RingQueue } from '../worker/ring-queue.js';

interface Scheduled<T> {
  readonly item: T;
  readonly at: number;
}

/**
 * RFC 3261 Timer E for many requests at once, each on its own clock: after
 * T1, 2·T1, … then every T2. Requests waiting out the same interval fall due
 * in the order they were scheduled, so one FIFO per interval stays sorted
 * and a tick only looks at what is due. A periodic sweep over every request
 * would instead send the retransmissions of a whole sweep period in one
 * burst, and a burst is what trips a server's admission control.
 */
export class RetransmitSchedule<T> {
  private readonly intervals: number[] = [];
  private readonly levels: RingQueue<Scheduled<T>>[];

  constructor(t1Ms: number, t2Ms: number) {
    for (let interval = t1Ms; ; interval *= 2) {
      this.intervals.push(Math.min(interval, t2Ms));
      if (interval >= t2Ms) break;
    }
    this.levels = this.intervals.map(() => new RingQueue<Scheduled<T>>());
  }

  /** Entries waiting, answered or not (an answered one leaves when it falls due). */
  get size(): number {
    return this.levels.reduce((sum, level) => sum + level.size, 0);
  }

  /** First retransmission of a request sent at `sentAt`: T1 later. */
  schedule(item: T, sentAt: number): void {
    this.levels[0]!.push({ item, at: sentAt + this.intervals[0]! });
  }

  /**
   * Hands every entry due by `now` to `retransmit`, which sends it again and
   * returns true, or returns false for one that needs no more (answered);
   * a resent one is due again after the next interval. Returns how many were resent.
   */
  due(now: number, retransmit: (item: T) => boolean): number {
    let resent = 0;
    // From the longest interval down, so an entry moved up a level this tick is not looked at twice.
    for (let level = this.levels.length - 1; level >= 0; level--) {
      const queue = this.levels[level]!;
      const next = Math.min(level + 1, this.levels.length - 1);
      for (let head = queue.peek(); head !== undefined && head.at <= now; head = queue.peek()) {
        queue.shift();
        if (!retransmit(head.item)) continue;
        resent++;
        this.levels[next]!.push({ item: head.item, at: now + this.intervals[next]! });
      }
    }
    return resent;
  }

  clear(): void {
    for (const level of this.levels) level.clear();
  }
}
