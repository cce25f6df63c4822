import { adaptiveTimeoutSeconds, rateParameters, type NegotiatedRates } from './rate-control.js';

/**
 * RFC 6446 §7.4: the rolling period is this many reciprocals of the
 * adaptive-min-rate ("several times larger", and more than one).
 */
export const ADAPTIVE_PERIOD_FACTOR = 10;
/**
 * Send times kept for the adaptive count: a bound on the memory of one
 * watcher. Past it the oldest are forgotten, so the count, and with it the
 * timeout, saturates at CAPACITY / (rate² × period) = 3.2 / adaptive-min-rate;
 * a watcher notified that often gets its NOTIFYs from changes, not keep-alives.
 */
const HISTORY_CAPACITY = 32;

/**
 * One watcher's negotiated RFC 6446 rates as the notifier applies them: the
 * shortest gap between NOTIFYs (max-rate, §5.2) and when the next keep-alive
 * NOTIFY is due (min-rate §6.2, adaptive-min-rate §7.2 steps 1-4). Pure: the
 * caller passes the time. Allocated only for a watcher that asked.
 */
export class RateSchedule {
  /** The Subscription-State parameters reflecting these rates (§5.2, §6.2, §7.2). */
  readonly parameters: string;
  /** Shortest gap between two NOTIFYs, ms (1/max-rate); 0 without max-rate. */
  readonly minGapMs: number;
  readonly #keepAliveMs: number | undefined;
  readonly #adaptive: AdaptiveHistory | undefined;

  constructor(
    readonly rates: NegotiatedRates,
    now: number,
  ) {
    this.parameters = rateParameters(rates);
    this.minGapMs = rates.maxRate === undefined ? 0 : 1000 / rates.maxRate;
    this.#keepAliveMs = rates.minRate === undefined ? undefined : 1000 / rates.minRate;
    this.#adaptive = rates.adaptiveMinRate === undefined ? undefined : new AdaptiveHistory(rates.adaptiveMinRate, now);
  }

  /** A NOTIFY was sent (a new transaction; retransmissions are not counted, §7.2). */
  sent(now: number): void {
    this.#adaptive?.record(now);
  }

  /**
   * Time after the most recent NOTIFY at which the next one is due even
   * without a change: the sooner of 1/min-rate and the adaptive timeout
   * (equation (2) when a max-rate is set); undefined when neither applies.
   */
  keepAliveDelayMs(now: number): number | undefined {
    const adaptive = this.#adaptive?.timeoutMs(now, this.rates.maxRate);
    if (adaptive === undefined) return this.#keepAliveMs;
    return this.#keepAliveMs === undefined ? adaptive : Math.min(adaptive, this.#keepAliveMs);
  }
}

/** RFC 6446 §7.2: the "count" record, a ring of the send times within the last period. */
class AdaptiveHistory {
  readonly #periodMs: number;
  readonly #times = new Float64Array(HISTORY_CAPACITY);
  #next = 0;
  #size = 0;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.#periodMs = (ADAPTIVE_PERIOD_FACTOR / rate) * 1000;
    // Step 1: start as if period × rate NOTIFYs had gone out, evenly over the last period.
    const initial = Math.min(HISTORY_CAPACITY, Math.round(ADAPTIVE_PERIOD_FACTOR));
    for (let i = 1; i <= initial; i++) this.record(now - this.#periodMs + (i * this.#periodMs) / initial);
  }

  record(at: number): void {
    this.#times[this.#next] = at;
    this.#next = (this.#next + 1) % HISTORY_CAPACITY;
    this.#size = Math.min(HISTORY_CAPACITY, this.#size + 1);
  }

  /** Step 2 / 4: equation (1) or (2) over the NOTIFYs of the last period, in ms. */
  timeoutMs(now: number, maxRate: number | undefined): number {
    let count = 0;
    for (let i = 0; i < this.#size; i++) if (this.#times[i]! > now - this.#periodMs) count++;
    return adaptiveTimeoutSeconds(count, this.rate, this.#periodMs / 1000, maxRate) * 1000;
  }
}
