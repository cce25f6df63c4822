import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('token bucket', () => {
  it('token bucket - hands out rate × time over many small ticks', () => {
    const bucket = new TokenBucket(1000, 50);
    let taken = bucket.take(0);
    for (let t = 5; t <= 10_000; t += 5) taken += bucket.take(t);
    expect(taken).toBeGreaterThanOrEqual(9999);
    expect(taken).toBeLessThanOrEqual(10_000);
  });

  it('token bucket - a long pause yields at most the burst, not a flood', () => {
    const bucket = new TokenBucket(100, 5);
    bucket.take(0);
    expect(bucket.take(60_000)).toBe(5);
    expect(bucket.take(60_000)).toBe(0);
  });

  it('token bucket - take(max) leaves the rest for later; fractional rates accumulate', () => {
    const bucket = new TokenBucket(10, 100);
    bucket.take(0);
    expect(bucket.take(1000, 4)).toBe(4);
    expect(bucket.take(1000)).toBe(6);
    const slow = new TokenBucket(0.5, 1);
    slow.take(0);
    expect(slow.take(1000)).toBe(0);
    expect(slow.take(2000)).toBe(1);
  });

  it('token bucket - a clock going backwards gives nothing and breaks nothing', () => {
    const bucket = new TokenBucket(1000, 1000);
    bucket.take(1000);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(1100)).toBe(100);
  });
});
