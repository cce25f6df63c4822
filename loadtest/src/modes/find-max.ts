import type { StepSummary } from '../coordinator/load-session.js';

export interface HoldLimits {
  readonly p99LimitMs: number;
  readonly errorLimitPct: number;
  /** A step holds only when at least this % of the (watcher, change) NOTIFYs owed arrived. */
  readonly deliveryLimitPct: number;
}

/** A step holds when the server kept up: the "< 1% errors and p99 under 100 ms", made precise. */
export function judgeStep(step: StepSummary, limits: HoldLimits): { held: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const limit = limits.errorLimitPct / 100;
  // Publishers wait for each 200 before their next PUBLISH, so a slow server shows up as a rate shortfall.
  if (step.publishPerSecond < 0.95 * step.targetRate) reasons.push(`accepted ${step.publishPerSecond.toFixed(1)}/s < 95% of ${step.targetRate}/s`);
  if (step.publishErrorRate >= limit) reasons.push(`PUBLISH errors+timeouts ${(step.publishErrorRate * 100).toFixed(2)}%`);
  if (step.notifyLossRate >= limit) reasons.push(`stale/terminated watchers ${(step.notifyLossRate * 100).toFixed(2)}%`);
  if (step.deliveredRate * 100 < limits.deliveryLimitPct) reasons.push(`delivered ${(step.deliveredRate * 100).toFixed(2)}% < ${limits.deliveryLimitPct}% of the NOTIFYs owed`);
  if (step.latency.count === 0) reasons.push('no NOTIFY with a latency');
  else if (step.latency.p99Ms >= limits.p99LimitMs) reasons.push(`p99 ${step.latency.p99Ms.toFixed(1)} ms ≥ ${limits.p99LimitMs} ms`);
  return { held: reasons.length === 0, reasons };
}

export interface FindMaxPlan extends HoldLimits {
  readonly startRate: number;
  readonly maxRate: number;
  readonly ramp: number;
  readonly refine: number;
}

export interface FindMaxOutcome {
  /** Highest rate that held, undefined if even the first step failed. */
  readonly maxHeldRate: number | undefined;
  /** Lowest rate that failed, undefined if every step up to maxRate held. */
  readonly firstFailedRate: number | undefined;
  readonly steps: ReadonlyArray<{ readonly summary: StepSummary; readonly held: boolean; readonly reasons: readonly string[] }>;
}

/**
 * Geometric ramp from startRate by `ramp` until a step fails (or maxRate
 * held), then `refine` bisection steps between the last held and the first
 * failed rate. `runStep` runs one PUBLISH step at the given rate.
 */
export async function findMaxRate(plan: FindMaxPlan, runStep: (rate: number) => Promise<StepSummary>): Promise<FindMaxOutcome> {
  const steps: { summary: StepSummary; held: boolean; reasons: string[] }[] = [];
  let held: number | undefined;
  let failed: number | undefined;
  const attempt = async (rate: number): Promise<boolean> => {
    const summary = await runStep(rate);
    const verdict = judgeStep(summary, plan);
    steps.push({ summary, ...verdict });
    if (verdict.held) held = Math.max(held ?? 0, rate);
    else failed = Math.min(failed ?? Number.POSITIVE_INFINITY, rate);
    return verdict.held;
  };
  let rate = Math.min(plan.startRate, plan.maxRate);
  for (;;) {
    if (!(await attempt(rate))) break;
    if (rate >= plan.maxRate) break;
    rate = Math.min(plan.maxRate, Math.round(rate * plan.ramp));
  }
  for (let i = 0; i < plan.refine && held !== undefined && failed !== undefined; i++) {
    const mid = Math.round((held + failed) / 2);
    if (mid <= held || mid >= failed) break;
    await attempt(mid);
  }
  return { maxHeldRate: held, firstFailedRate: failed, steps };
}
