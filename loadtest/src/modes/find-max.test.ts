import { describe, expect, it } from 'vitest';
import type { StepSummary } from '../coordinator/load-session.js';
import { findMaxRate, judgeStep } from './find-max.js';

const LIMITS = { p99LimitMs: 100, errorLimitPct: 1, deliveryLimitPct: 99.9 };

/** A step as a server with capacity `capacity` PUBLISH/s would produce it. */
function fakeStep(rate: number, capacity: number): StepSummary {
  const over = rate > capacity;
  return {
    targetRate: rate,
    publishPerSecond: over ? capacity : rate,
    notifyPerSecond: (over ? capacity : rate) * 10,
    publishErrorRate: 0,
    notifyLossRate: 0,
    deliveredRate: 1,
    latency: { count: 100, meanMs: 5, p50Ms: 4, p90Ms: 8, p99Ms: over ? 500 : 20, p999Ms: 30, maxMs: 40 },
  } as StepSummary;
}

describe('find-max', () => {
  it('find-max - a step fails on p99, errors, stale watchers or a rate shortfall, naming each', () => {
    expect(judgeStep(fakeStep(100, 1000), LIMITS)).toEqual({ held: true, reasons: [] });
    const bad = { ...fakeStep(100, 1000), publishErrorRate: 0.02, notifyLossRate: 0.5, publishPerSecond: 50, latency: { ...fakeStep(100, 1000).latency, p99Ms: 150 } };
    expect(judgeStep(bad, LIMITS).reasons).toHaveLength(4);
    expect(judgeStep({ ...fakeStep(100, 1000), deliveredRate: 0.998 }, LIMITS).reasons).toEqual(['delivered 99.80% < 99.9% of the NOTIFYs owed']);
    expect(judgeStep({ ...fakeStep(100, 1000), latency: { ...fakeStep(100, 1000).latency, count: 0 } }, LIMITS).held).toBe(false);
  });

  it('find-max - ramps geometrically to the first failure, then bisects', async () => {
    const rates: number[] = [];
    const outcome = await findMaxRate({ ...LIMITS, startRate: 100, maxRate: 100_000, ramp: 2, refine: 2 }, async (rate) => {
      rates.push(rate);
      return fakeStep(rate, 700);
    });
    expect(rates).toEqual([100, 200, 400, 800, 600, 700]);
    expect(outcome.maxHeldRate).toBe(700);
    expect(outcome.firstFailedRate).toBe(800);
    expect(outcome.steps.map((s) => s.held)).toEqual([true, true, true, false, true, true]);
  });

  it('find-max - stops at max-rate when everything holds, and reports nothing held when the first step fails', async () => {
    const capped = await findMaxRate({ ...LIMITS, startRate: 100, maxRate: 300, ramp: 2, refine: 2 }, async (rate) => fakeStep(rate, 10_000));
    expect(capped.steps.map((s) => s.summary.targetRate)).toEqual([100, 200, 300]);
    expect(capped).toMatchObject({ maxHeldRate: 300, firstFailedRate: undefined });
    const none = await findMaxRate({ ...LIMITS, startRate: 100, maxRate: 300, ramp: 2, refine: 2 }, async (rate) => fakeStep(rate, 10));
    expect(none).toMatchObject({ maxHeldRate: undefined, firstFailedRate: 100 });
    expect(none.steps).toHaveLength(1);
  });
});
