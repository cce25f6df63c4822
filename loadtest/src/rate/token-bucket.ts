/**
 * Token bucket pacing: `rate` tokens per second, at most `burst` saved up, so
 * a late timer tick catches up a little but an idle stretch never turns into
 * a flood. The clock is passed in, which keeps it deterministic in tests.
 */
export class TokenBucket {
  private tokens = 0;
  private last: number | undefined;

  constructor(
    private rate: number,
    private readonly burst: number,
  ) {
    if (!(rate >= 0) || !(burst >= 1)) throw new RangeError(`token bucket needs rate >= 0 and burst >= 1 (got ${rate}, ${burst})`);
  }

  /** Whole tokens available at `nowMs`, taken out of the bucket (at most `max`). */
  take(nowMs: number, max = Number.POSITIVE_INFINITY): number {
    if (this.last !== undefined && nowMs > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.rate) / 1000);
    }
    if (this.last === undefined || nowMs > this.last) this.last = nowMs;
    const whole = Math.min(max, Math.floor(this.tokens));
    this.tokens -= whole;
    return whole;
  }

  setRate(rate: number, nowMs: number): void {
    this.take(nowMs, 0);
    this.rate = rate;
  }
}
