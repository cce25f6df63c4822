/** Time source injected everywhere domain code needs "now"; milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

declare const timerBrand: unique symbol;

/** A timer armed through a TimerClock: only that clock can cancel it. */
export interface TimerHandle {
  readonly [timerBrand]: true;
}

/**
 * A Clock that also arms timers, for code whose waits tests want to run in
 * milliseconds (testkit's FakeClock fires them when it is advanced).
 */
export interface TimerClock extends Clock {
  /** Calls `callback` once, `delayMs` from now (at the next turn when 0 or less). */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; a fired, cancelled or undefined handle is ignored. */
  clearTimer(handle: TimerHandle | undefined): void;
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs) as unknown as TimerHandle,
  clearTimer: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout | undefined),
};
