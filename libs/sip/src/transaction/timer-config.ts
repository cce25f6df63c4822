import type { SipStackTimers } from '../stack/stack-types.js';

/** Resolved RFC 3261 §17 timer values in milliseconds. */
export interface TimerConfig {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
  /** Timer F: non-INVITE client transaction timeout, 64*T1 (§17.1.2.2). */
  readonly timerF: number;
  /** Timer J: non-INVITE server transaction wait on unreliable transports, 64*T1 (§17.2.2). */
  readonly timerJ: number;
}

export function resolveTimers(timers: SipStackTimers | undefined): TimerConfig {
  // RFC 3261 §17.1.1.1 defaults: T1 500 ms, T2 4 s, T4 5 s.
  const t1 = positive(timers?.t1Ms, 500, 't1Ms');
  const t2 = positive(timers?.t2Ms, 4000, 't2Ms');
  const t4 = positive(timers?.t4Ms, 5000, 't4Ms');
  return { t1, t2: Math.max(t1, t2), t4, timerF: 64 * t1, timerJ: 64 * t1 };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`timers.${name} must be a positive number`);
  return value;
}
