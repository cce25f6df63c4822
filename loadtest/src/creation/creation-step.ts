import type { LatencySummary } from '../stats/latency-histogram.js';

/**
 * The two workloads of issue #17 that create state rather than change it:
 * publish-new, an initial PUBLISH for a new presentity each (no watchers);
 * subscribe-setup, a new SUBSCRIBE dialog each, done when its first NOTIFY
 * is answered.
 */
export type CreationWorkload = 'publish-new' | 'subscribe-setup';
export const CREATION_WORKLOADS: readonly CreationWorkload[] = ['publish-new', 'subscribe-setup'];

/** What one step of either workload counted, whichever generator sent it. */
export interface CreationStep {
  readonly targetRate: number;
  /** Seconds new requests were started for (SIPp: calls / rate). */
  readonly windowS: number;
  /** Requests started: PUBLISHes, or SUBSCRIBE dialogs. */
  readonly attempted: number;
  /** publish-new: answered 200; subscribe-setup: 2xx and a first NOTIFY, answered 200. */
  readonly completed: number;
  /** Final answers that were not a 2xx (by code), e.g. { "503": 12 }. */
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Neither answered nor failed before the step's deadline (UDP retransmissions exhausted, or no first NOTIFY). */
  readonly unfinished: number;
  /** Requests the generator sent again after T1 without an answer. */
  readonly retransmissions: number;
  /** publish-new: PUBLISH → 200; subscribe-setup: SUBSCRIBE → first NOTIFY. */
  readonly setup: LatencySummary;
  /** CPU seconds of the target's processes over the step (window and wait for the last answers), when /proc allows. */
  readonly serverCpuSeconds?: number;
  /** The busiest generator process's CPU over the step, % of one core. */
  readonly generatorCpuPctMax: number;
}

export interface CreationLimits {
  /** A step fails at or above this % of attempts without success (errors and unfinished). */
  readonly errorLimitPct: number;
  /** …or when fewer than this % of the target rate completed. */
  readonly minRatePct: number;
}

/** The issue's held step: < 1 % failed and ≥ 95 % of the target rate achieved. */
export const ISSUE_LIMITS: CreationLimits = { errorLimitPct: 1, minRatePct: 95 };

export function completedPerSecond(step: CreationStep): number {
  return step.windowS > 0 ? step.completed / step.windowS : 0;
}

export function failedCount(step: CreationStep): number {
  return Object.values(step.errorCodes).reduce((a, b) => a + b, 0) + step.unfinished;
}

/** Server CPU µs per completed PUBLISH or dialog; undefined without a CPU reading or a completion. */
export function cpuMicrosPerOperation(step: CreationStep): number | undefined {
  return step.serverCpuSeconds === undefined || step.completed === 0 ? undefined : (step.serverCpuSeconds * 1e6) / step.completed;
}

export function judgeCreationStep(step: CreationStep, limits: CreationLimits): { held: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const failed = failedCount(step);
  if (step.attempted === 0) reasons.push('nothing sent');
  else if (failed * 100 >= limits.errorLimitPct * step.attempted) reasons.push(`failed ${((failed * 100) / step.attempted).toFixed(2)}% ≥ ${limits.errorLimitPct}%`);
  const achieved = completedPerSecond(step);
  if (achieved * 100 < limits.minRatePct * step.targetRate) reasons.push(`completed ${achieved.toFixed(0)}/s < ${limits.minRatePct}% of ${step.targetRate}/s`);
  return { held: reasons.length === 0, reasons };
}

export interface RampPlan {
  readonly startRate: number;
  readonly maxRate: number;
  /** Factor between steps (2: doubling). */
  readonly factor: number;
}

export interface JudgedCreationStep {
  readonly step: CreationStep;
  readonly held: boolean;
  readonly reasons: readonly string[];
}

export interface RampOutcome {
  readonly steps: readonly JudgedCreationStep[];
  /** Highest target rate held; undefined when the first step failed. */
  readonly maxHeldRate: number | undefined;
  /** The rate of the step that failed; undefined when every step up to maxRate held. */
  readonly failedRate: number | undefined;
}

/** The rates a ramp tries while every step holds: startRate × factor^k, the last one capped at maxRate. */
export function rampRates(plan: RampPlan): number[] {
  const rates: number[] = [];
  let rate = Math.min(plan.startRate, plan.maxRate);
  for (;;) {
    rates.push(rate);
    if (rate >= plan.maxRate) return rates;
    rate = Math.min(plan.maxRate, Math.round(rate * plan.factor));
  }
}

/** Steps up through rampRates until a step fails; the held rate is the last one before it. */
export async function rampUntilFailure(plan: RampPlan, limits: CreationLimits, runStep: (rate: number) => Promise<CreationStep>): Promise<RampOutcome> {
  const steps: JudgedCreationStep[] = [];
  let maxHeldRate: number | undefined;
  for (const rate of rampRates(plan)) {
    const step = await runStep(rate);
    const verdict = judgeCreationStep(step, limits);
    steps.push({ step, ...verdict });
    if (!verdict.held) return { steps, maxHeldRate, failedRate: rate };
    maxHeldRate = rate;
  }
  return { steps, maxHeldRate, failedRate: undefined };
}

/** The step that stands for a ramp: the highest held, else the first. */
export function headlineCreationStep(outcome: RampOutcome): JudgedCreationStep | undefined {
  return outcome.steps.filter((s) => s.held).at(-1) ?? outcome.steps[0];
}
