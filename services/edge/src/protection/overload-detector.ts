/** When the edge counts as overloaded; a threshold of 0 turns its signal off. */
export interface OverloadThresholds {
  /** Event-loop lag (ms) above which the edge is overloaded. */
  readonly maxEventLoopLagMs: number;
  /** Requests read and not yet settled above which the edge is overloaded. */
  readonly maxPending: number;
  /** How long a signal must stay below half its threshold before overload ends. */
  readonly holdMs: number;
}

export type OverloadCause = 'event_loop_lag' | 'pending';
export const OVERLOAD_CAUSES: readonly OverloadCause[] = ['event_loop_lag', 'pending'];

/**
 * One signal with hysteresis: high once above the threshold; low again only
 * after staying below half of it for the hold time, so a load hovering
 * around the threshold does not flap in and out of overload.
 */
class Hysteresis {
  private high = false;
  private calmSince: number | undefined;

  constructor(
    private readonly threshold: number,
    private readonly holdMs: number,
  ) {}

  get active(): boolean {
    return this.high;
  }

  /** Returns true when this observation turned the signal high. */
  observe(value: number, nowMs: number): boolean {
    if (this.threshold <= 0) return false;
    if (value > this.threshold) {
      this.calmSince = undefined;
      if (this.high) return false;
      this.high = true;
      return true;
    }
    if (!this.high) return false;
    if (2 * value >= this.threshold) this.calmSince = undefined;
    else if (this.calmSince === undefined) this.calmSince = nowMs;
    else if (nowMs - this.calmSince >= this.holdMs) {
      this.high = false;
      this.calmSince = undefined;
    }
    return false;
  }
}

/**
 * Lag samples that must all exceed the bound: one late timer is a GC pause
 * or a scheduler that ran another process (a shared host, a throttled
 * container); several in a row is a loop that cannot keep up.
 */
export const LAG_SAMPLES = 3;

/**
 * Whether the edge is overloaded: either signal high (event-loop lag, or
 * pending requests). Pure: observations and time are passed in.
 */
export class OverloadDetector {
  private readonly lag: Hysteresis;
  private readonly pending: Hysteresis;
  private readonly lagSamples: number[] = [];

  constructor(
    thresholds: OverloadThresholds,
    /** Told each time a signal turns high, for metrics and logs. */
    private readonly entered: (cause: OverloadCause, value: number) => void = () => undefined,
  ) {
    this.lag = new Hysteresis(thresholds.maxEventLoopLagMs, thresholds.holdMs);
    this.pending = new Hysteresis(thresholds.maxPending, thresholds.holdMs);
  }

  get active(): boolean {
    return this.lag.active || this.pending.active;
  }

  /** One lag sample; the signal is the least of the last LAG_SAMPLES, so a single late timer does not count. */
  observeEventLoopLag(lagMs: number, nowMs: number): void {
    this.lagSamples.push(lagMs);
    if (this.lagSamples.length > LAG_SAMPLES) this.lagSamples.shift();
    const sustained = this.lagSamples.length < LAG_SAMPLES ? 0 : Math.min(...this.lagSamples);
    if (this.lag.observe(sustained, nowMs)) this.entered('event_loop_lag', sustained);
  }

  observePending(pending: number, nowMs: number): void {
    if (this.pending.observe(pending, nowMs)) this.entered('pending', pending);
  }
}
