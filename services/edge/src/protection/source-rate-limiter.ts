/** Requests per second and burst allowed to one source address, and how many sources are tracked at once. */
export interface SourceRateLimit {
  /** Tokens added per second (sustained requests per second). */
  readonly perSecond: number;
  /** Bucket size: requests a quiet source may send at once. */
  readonly burst: number;
  /** Buckets kept; past it the least recently seen source is forgotten. */
  readonly maxSources: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/** Idle buckets looked at per request: enough to keep the table shrinking under steady traffic, bounded work. */
const IDLE_CHECKS_PER_TAKE = 2;

/**
 * A token bucket per source address, in a bounded table. The Map keeps
 * insertion order and a source is re-inserted when seen, so the first entry
 * is the least recently seen: it is evicted when the table is full, and
 * dropped (a couple per request) once idle long enough to have refilled —
 * such a bucket is indistinguishable from a new one, so forgetting it loses
 * nothing. A flood from spoofed addresses therefore holds at most
 * `maxSources` buckets; it can push a real source out, which then starts
 * again with a full bucket (the limiter errs on the side of letting in).
 * Pure: time is passed in.
 */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Time a drained bucket takes to fill up again. */
  private readonly refillMs: number;

  constructor(private readonly limit: SourceRateLimit) {
    if (!(limit.perSecond > 0)) throw new RangeError(`rate limit: perSecond must be positive, got ${limit.perSecond}`);
    if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new RangeError(`rate limit: burst must be a positive integer, got ${limit.burst}`);
    if (!Number.isInteger(limit.maxSources) || limit.maxSources < 1) throw new RangeError(`rate limit: maxSources must be a positive integer, got ${limit.maxSources}`);
    this.refillMs = (limit.burst / limit.perSecond) * 1000;
  }

  /** Sources tracked now. */
  get sources(): number {
    return this.buckets.size;
  }

  /**
   * Takes one token from `source`'s bucket at `nowMs`. Returns 0 when there
   * was one (the request may pass), otherwise the whole seconds until the
   * next token (at least 1): the Retry-After of a refusal.
   */
  take(source: string, nowMs: number): number {
    let bucket = this.buckets.get(source);
    if (bucket === undefined) {
      if (this.buckets.size >= this.limit.maxSources) this.evictLeastRecent();
      bucket = { tokens: this.limit.burst, at: nowMs };
    } else {
      this.buckets.delete(source);
      const elapsedMs = Math.max(0, nowMs - bucket.at); // a clock stepping back refills nothing
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (elapsedMs * this.limit.perSecond) / 1000);
      bucket.at = nowMs;
    }
    this.buckets.set(source, bucket);
    this.forgetIdle(nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }

  private evictLeastRecent(): void {
    const oldest = this.buckets.keys().next();
    if (oldest.done !== true) this.buckets.delete(oldest.value);
  }

  private forgetIdle(nowMs: number): void {
    for (let i = 0; i < IDLE_CHECKS_PER_TAKE; i++) {
      const oldest = this.buckets.entries().next();
      if (oldest.done === true || nowMs - oldest.value[1].at < this.refillMs) return;
      this.buckets.delete(oldest.value[0]);
    }
  }
}
