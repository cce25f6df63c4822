import type { StepSummary } from '../coordinator/load-session.js';
import type { TargetResult } from './run-workload.js';

export interface Comparison {
  readonly ours: string;
  readonly reference: string;
  /** ours / reference; undefined when either side has nothing to compare. */
  readonly notifyPerSecondRatio?: number;
  readonly p99Ratio?: number;
  readonly maxHeldRateRatio?: number;
  readonly notifyPerCpuSecondRatio?: number;
  /** Sum over processes (and Redis) of bytes per subscription. */
  readonly bytesPerSubscriptionRatio?: number;
  readonly headline: { readonly ours: Headline; readonly reference: Headline };
}

export interface Headline {
  readonly notifyPerSecond?: number;
  readonly p99Ms?: number;
  readonly maxHeldRate?: number;
  /** NOTIFYs received per CPU second of the server's processes (NATS and Redis included) over the headline step. */
  readonly notifyPerCpuSecond?: number;
  readonly bytesPerSubscription: number;
}

/** The step that stands for a result: the only one, or find-max's highest held (else the first). */
export function headlineStep(result: TargetResult): StepSummary | undefined {
  const held = result.findMax?.maxHeldRate;
  const match = held === undefined ? undefined : result.steps.find((s) => s.held && s.summary.targetRate === held);
  return (match ?? result.steps[0])?.summary;
}

function headline(result: TargetResult): Headline {
  const step = headlineStep(result);
  const bytes = result.memoryCost.processes.reduce((total, p) => total + p.rssPerSubscription, 0) + (result.memoryCost.redisPerSubscription ?? 0);
  return {
    ...(step === undefined ? {} : { notifyPerSecond: step.notifyPerSecond, p99Ms: step.latency.p99Ms }),
    ...(result.findMax?.maxHeldRate === undefined ? {} : { maxHeldRate: result.findMax.maxHeldRate }),
    ...(step?.serverCpu === undefined || step.serverCpu.cpuSeconds <= 0 ? {} : { notifyPerCpuSecond: step.notifies / step.serverCpu.cpuSeconds }),
    bytesPerSubscription: bytes,
  };
}

const divide = (a: number | undefined, b: number | undefined): number | undefined => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);

export function compareResults(ours: TargetResult, reference: TargetResult): Comparison {
  const a = headline(ours);
  const b = headline(reference);
  const entries = {
    notifyPerSecondRatio: divide(a.notifyPerSecond, b.notifyPerSecond),
    p99Ratio: divide(a.p99Ms, b.p99Ms),
    maxHeldRateRatio: divide(a.maxHeldRate, b.maxHeldRate),
    notifyPerCpuSecondRatio: divide(a.notifyPerCpuSecond, b.notifyPerCpuSecond),
    bytesPerSubscriptionRatio: divide(a.bytesPerSubscription, b.bytesPerSubscription),
  };
  const defined = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  return { ours: ours.label, reference: reference.label, ...defined, headline: { ours: a, reference: b } };
}
