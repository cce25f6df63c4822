import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('latency histogram', () => {
  it('latency histogram - percentiles of 1..1000 ms are within the bucket precision', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.recordMs(ms);
    const summary = histogram.summary();
    expect(summary.count).toBe(1000);
    expect(summary.p50Ms).toBeGreaterThan(500 * 0.98);
    expect(summary.p50Ms).toBeLessThan(500 * 1.02);
    expect(summary.p90Ms).toBeGreaterThan(900 * 0.98);
    expect(summary.p90Ms).toBeLessThan(900 * 1.02);
    expect(summary.p99Ms).toBeGreaterThan(990 * 0.98);
    expect(summary.p99Ms).toBeLessThanOrEqual(1000);
    expect(summary.maxMs).toBe(1000);
    expect(summary.meanMs).toBeCloseTo(500.5, 6);
  });

  it('latency histogram - merging snapshots equals recording everything in one', () => {
    const parts = [new LatencyHistogram(), new LatencyHistogram()];
    const whole = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const ms = (i % 97) * 0.37 + (i % 5 === 0 ? 80 : 0);
      parts[i % 2]!.recordMs(ms);
      whole.recordMs(ms);
    }
    const merged = LatencyHistogram.from(parts.map((p) => p.snapshot()));
    expect(merged.summary()).toEqual(whole.summary());
  });

  it('latency histogram - empty is all zeros; sub-µs and negative values count as 0', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    const histogram = new LatencyHistogram();
    histogram.recordMs(-3);
    histogram.recordMs(0.0001);
    expect(histogram.count).toBe(2);
    expect(histogram.percentileMs(100)).toBeLessThan(0.001);
  });

  it('latency histogram - a snapshot keeps only non-empty buckets', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(2);
    histogram.recordMs(2);
    histogram.recordMs(50);
    const snapshot = histogram.snapshot();
    expect(snapshot.buckets).toHaveLength(2);
    expect(snapshot.buckets.reduce((n, [, c]) => n + c, 0)).toBe(3);
  });
});
