import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { cpuMicrosPerOperation, headlineCreationStep, ISSUE_LIMITS, judgeCreationStep, rampRates, rampUntilFailure, type CreationStep } from './creation-step.js';

/** A step as a server that completes at most `capacity` per second and loses `lostPct` % would produce it. */
function fakeStep(rate: number, capacity: number, lostPct = 0): CreationStep {
  const attempted = rate * 10;
  const completed = Math.min(attempted, capacity * 10);
  const lost = Math.round((completed * lostPct) / 100);
  const latency = new LatencyHistogram();
  latency.recordMs(5);
  return {
    targetRate: rate,
    windowS: 10,
    attempted,
    completed: completed - lost,
    errorCodes: lost === 0 ? {} : { '503': lost },
    unfinished: attempted - completed,
    retransmissions: 0,
    setup: latency.summary(),
    serverCpuSeconds: 2,
    generatorCpuPctMax: 10,
  };
}

describe('creation steps', () => {
  it('creation steps - a step holds with < 1% failed and ≥ 95% of the rate completed, and says which failed', () => {
    expect(judgeCreationStep(fakeStep(1000, 2000), ISSUE_LIMITS)).toEqual({ held: true, reasons: [] });
    expect(judgeCreationStep(fakeStep(1000, 2000, 0.9), ISSUE_LIMITS).held).toBe(true);
    expect(judgeCreationStep(fakeStep(1000, 2000, 1), ISSUE_LIMITS)).toEqual({ held: false, reasons: ['failed 1.00% ≥ 1%'] });
    // 960/s completed of 1,000: enough rate, but the 400 not completed are 4 % failed
    expect(judgeCreationStep(fakeStep(1000, 960), ISSUE_LIMITS).reasons).toEqual(['failed 4.00% ≥ 1%']);
    // a generator that sent only 90 % of the plan, all completed: a rate shortfall, no failure
    const short = { ...fakeStep(1000, 2000), attempted: 9000, completed: 9000 };
    expect(judgeCreationStep(short, ISSUE_LIMITS).reasons).toEqual(['completed 900/s < 95% of 1000/s']);
    expect(judgeCreationStep({ ...short, attempted: 0, completed: 0 }, ISSUE_LIMITS).reasons[0]).toBe('nothing sent');
  });

  it('creation steps - server CPU per completed operation in µs, none without a reading or a completion', () => {
    expect(cpuMicrosPerOperation(fakeStep(1000, 2000))).toBeCloseTo(200, 6);
    const { serverCpuSeconds: _, ...unmeasured } = fakeStep(1000, 2000);
    expect(cpuMicrosPerOperation(unmeasured)).toBeUndefined();
    expect(cpuMicrosPerOperation({ ...fakeStep(1000, 2000), completed: 0 })).toBeUndefined();
  });

  it('creation steps - rates double from the start, the last capped at the maximum', () => {
    expect(rampRates({ startRate: 500, maxRate: 5000, factor: 2 })).toEqual([500, 1000, 2000, 4000, 5000]);
    expect(rampRates({ startRate: 500, maxRate: 500, factor: 2 })).toEqual([500]);
    expect(rampRates({ startRate: 900, maxRate: 500, factor: 2 })).toEqual([500]);
  });

  it('creation steps - the ramp stops at the first failed step; the held rate is the one before', async () => {
    const tried: number[] = [];
    const outcome = await rampUntilFailure({ startRate: 500, maxRate: 100_000, factor: 2 }, ISSUE_LIMITS, async (rate) => {
      tried.push(rate);
      return fakeStep(rate, 3000);
    });
    expect(tried).toEqual([500, 1000, 2000, 4000]);
    expect(outcome).toMatchObject({ maxHeldRate: 2000, failedRate: 4000 });
    expect(outcome.steps.map((s) => s.held)).toEqual([true, true, true, false]);
    expect(headlineCreationStep(outcome)?.step.targetRate).toBe(2000);
  });

  it('creation steps - a first step that fails holds nothing; a ramp that reaches the maximum failed nowhere', async () => {
    const none = await rampUntilFailure({ startRate: 500, maxRate: 4000, factor: 2 }, ISSUE_LIMITS, async (rate) => fakeStep(rate, 100));
    expect(none).toMatchObject({ maxHeldRate: undefined, failedRate: 500 });
    expect(headlineCreationStep(none)?.step.targetRate).toBe(500);
    const all = await rampUntilFailure({ startRate: 500, maxRate: 1500, factor: 2 }, ISSUE_LIMITS, async (rate) => fakeStep(rate, 10_000));
    expect(all).toMatchObject({ maxHeldRate: 1500, failedRate: undefined });
    expect(all.steps.map((s) => s.step.targetRate)).toEqual([500, 1000, 1500]);
  });
});
