import type { TimerClock, TimerHandle } from '@presence/core';
import { ExpiryQueue, type Expiring } from './expiry-queue.js';

/** Expirations handled per timer run, so a wave of lapses cannot stall the event loop. */
const EXPIRY_BATCH = 2000;
/** Longer delays overflow Node's timers (they would fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When held subscriptions lapse: one timer (through the Clock) at the
 * earliest deadline of a queue the entries hold their own place in, no timer
 * per dialog (ARCHITECTURE "Expiry index entries"). Due entries leave the
 * queue and go to `onDue`, at most EXPIRY_BATCH per run; the rest wait for
 * the next run, armed at once.
 */
export class SubscriptionExpiry<T extends Expiring> {
  private readonly deadlines = new ExpiryQueue<T>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    private readonly clock: TimerClock,
    private readonly onDue: (entry: T) => void,
  ) {}

  /** Queues the entry at its expiresAt, or moves it there after a change. */
  schedule(entry: T): void {
    this.deadlines.set(entry);
    this.arm();
  }

  cancel(entry: T): void {
    this.deadlines.delete(entry);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimer(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.deadlines.peek()?.expiresAt;
    if (next === undefined || next >= this.timerAt) return;
    this.clock.clearTimer(this.timer);
    this.timerAt = next;
    this.timer = this.clock.setTimer(() => this.expireDue(), Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock.now())));
  }

  private expireDue(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let handled = 0; handled < EXPIRY_BATCH; handled++) {
      const entry = this.deadlines.peek();
      if (entry === undefined || entry.expiresAt > now) break;
      this.deadlines.delete(entry);
      this.onDue(entry);
    }
    this.arm();
  }
}
