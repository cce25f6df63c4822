import { describe, expect, it } from 'vitest';
import { fitLine, judgeSoak, seriesDrift, type TimedValue } from './drift.js';

const MB = 1024 * 1024;
const BOUNDS = { maxRssGrowthMb: 10, maxFailureFraction: 0.01 };

/** Readings every 10 s for `seconds`, base + slope·t + a deterministic wobble. */
function series(seconds: number, baseMb: number, mbPerSecond: number, wobbleMb = 0): TimedValue[] {
  return Array.from({ length: seconds / 10 + 1 }, (_, i) => ({ atS: i * 10, value: (baseMb + mbPerSecond * i * 10 + (i % 2 === 0 ? wobbleMb : -wobbleMb)) * MB }));
}

describe('soak drift', () => {
  it('fitLine - recovers slope and intercept of a straight line; none from one point', () => {
    expect(fitLine([{ atS: 0, value: 3 }, { atS: 10, value: 23 }, { atS: 20, value: 43 }])).toEqual({ slope: 2, intercept: 3 });
    expect(fitLine([{ atS: 5, value: 1 }])).toBeUndefined();
    expect(fitLine([{ atS: 5, value: 1 }, { atS: 5, value: 2 }])).toBeUndefined();
  });

  it('seriesDrift - ignores the warm-up: a start-up climb then a flat line is no growth', () => {
    const climbThenFlat = series(300, 50, 0).map((p) => (p.atS < 60 ? { ...p, value: p.value - (60 - p.atS) * MB } : p));
    const drift = seriesDrift('sa', climbThenFlat, 60)!;
    expect(drift.points).toBe(25);
    expect(drift.fittedGrowthMb).toBeCloseTo(0, 6);
    expect(seriesDrift('sa', climbThenFlat, 0)!.fittedGrowthMb).toBeGreaterThan(10);
  });

  it('seriesDrift - a steady leak of 0.1 MB/s over 240 s fits 24 MB, 360 MB/h, through alternating noise', () => {
    const drift = seriesDrift('sa', series(300, 80, 0.1, 3), 60)!;
    expect(drift.fittedGrowthMb).toBeCloseTo(24, 0);
    expect(drift.slopeMbPerHour).toBeCloseTo(360, -1);
  });

  it('judgeSoak - passes flat memory and few failures; fails on growth, on failures, and on no readings', () => {
    const flat = seriesDrift('sa', series(300, 80, 0, 2), 60)!;
    const leaking = seriesDrift('e1', series(300, 80, 0.1), 60)!;
    expect(judgeSoak([flat], 10_000, 50, BOUNDS)).toEqual({ passed: true, reasons: [] });
    const grown = judgeSoak([flat, leaking], 10_000, 0, BOUNDS);
    expect(grown.passed).toBe(false);
    expect(grown.reasons).toEqual([expect.stringMatching(/^e1: RSS grew 24\.0 MB .*--max-rss-growth-mb 10$/)]);
    expect(judgeSoak([flat], 10_000, 101, BOUNDS).reasons).toEqual([expect.stringMatching(/101 of 10000 requests after the warm-up failed \(1\.01 %\)/)]);
    expect(judgeSoak([], 10, 0, BOUNDS).passed).toBe(false);
    expect(judgeSoak([flat], 0, 0, BOUNDS).reasons).toEqual(['no request was sent']);
  });
});
