import type { TimerClock, TimerHandle } from '@presence/core';

interface FakeTimer {
  readonly at: number;
  /** Arming order: timers due at the same time fire in it. */
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A TimerClock under the test's control: time moves only when advanced, and
 * advancing fires every timer that falls due, in time order (then arming
 * order), each seeing now() at its own due time — including timers armed by
 * a callback within the window. Promises a callback starts are the test's to
 * settle (await between steps).
 */
export class FakeClock implements TimerClock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<FakeTimer>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: FakeTimer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.add(timer);
    return timer as unknown as TimerHandle;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.delete(handle as unknown as FakeTimer);
  }

  /** Timers armed and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let next = this.nextDue(until); next !== undefined; next = this.nextDue(until)) {
      this.timers.delete(next);
      this.time = next.at;
      next.callback();
    }
    this.time = until;
  }

  private nextDue(until: number): FakeTimer | undefined {
    let first: FakeTimer | undefined;
    for (const timer of this.timers) {
      if (timer.at > until) continue;
      if (first === undefined || timer.at < first.at || (timer.at === first.at && timer.seq < first.seq)) first = timer;
    }
    return first;
  }
}
