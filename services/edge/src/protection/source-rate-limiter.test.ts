import { describe, expect, it } from 'vitest';
import { SourceRateLimiter } from './source-rate-limiter.js';

/** Takes `count` tokens for `source` at `nowMs`; returns how many passed. */
function passed(limiter: SourceRateLimiter, source: string, count: number, nowMs: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) if (limiter.take(source, nowMs) === 0) n++;
  return n;
}

describe('source rate limiter', () => {
  it('source rate limiter - a new source may send its burst at once, then one more per 1/rate seconds', () => {
    const limiter = new SourceRateLimiter({ perSecond: 10, burst: 5, maxSources: 100 });
    expect(passed(limiter, '192.0.2.1', 8, 0)).toBe(5);
    expect(limiter.take('192.0.2.1', 50)).toBe(1); // half a token: wait (rounded up to a second)
    expect(limiter.take('192.0.2.1', 100)).toBe(0);
    expect(passed(limiter, '192.0.2.1', 30, 1100)).toBe(5); // one second refills 10, capped at the burst
  });

  it('source rate limiter - Retry-After is the whole seconds until the next token', () => {
    const limiter = new SourceRateLimiter({ perSecond: 0.25, burst: 1, maxSources: 10 });
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(4);
    expect(limiter.take('a', 3000)).toBe(1);
  });

  it('source rate limiter - sources are independent: one draining its bucket does not touch another', () => {
    const limiter = new SourceRateLimiter({ perSecond: 1, burst: 3, maxSources: 10 });
    expect(passed(limiter, 'flooder', 100, 0)).toBe(3);
    expect(passed(limiter, 'phone', 3, 0)).toBe(3);
  });

  it('source rate limiter - the table never holds more than maxSources; the least recently seen is forgotten first', () => {
    const limiter = new SourceRateLimiter({ perSecond: 1, burst: 2, maxSources: 3 });
    passed(limiter, 'a', 2, 0);
    passed(limiter, 'b', 2, 0);
    passed(limiter, 'c', 2, 0);
    passed(limiter, 'a', 1, 0); // a seen again: b is now the least recent
    for (let i = 0; i < 1000; i++) limiter.take(`spoofed-${i}`, 0);
    expect(limiter.sources).toBe(3);
    // a was pushed out too and comes back with a full bucket (errs on letting in)
    expect(passed(limiter, 'a', 2, 0)).toBe(2);
  });

  it('source rate limiter - buckets idle long enough to refill are dropped as traffic goes on', () => {
    const limiter = new SourceRateLimiter({ perSecond: 10, burst: 10, maxSources: 100 });
    for (let i = 0; i < 20; i++) limiter.take(`old-${i}`, 0);
    expect(limiter.sources).toBe(20);
    for (let t = 1000; t < 1020; t++) limiter.take('busy', t); // a full bucket takes 1 s to refill
    expect(limiter.sources).toBe(1);
  });

  it('source rate limiter - a clock stepping back refills nothing', () => {
    const limiter = new SourceRateLimiter({ perSecond: 1, burst: 1, maxSources: 10 });
    expect(limiter.take('a', 10_000)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1);
  });

  it('source rate limiter - invalid limits are refused, naming the field', () => {
    expect(() => new SourceRateLimiter({ perSecond: 0, burst: 1, maxSources: 1 })).toThrow(/perSecond/);
    expect(() => new SourceRateLimiter({ perSecond: 1, burst: 0.5, maxSources: 1 })).toThrow(/burst/);
    expect(() => new SourceRateLimiter({ perSecond: 1, burst: 1, maxSources: 0 })).toThrow(/maxSources/);
  });
});
