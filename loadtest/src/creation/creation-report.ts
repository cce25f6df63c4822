import { formatMs, formatRate, ratio } from '../report/format.js';
import { renderTable, type Column } from '../report/text-table.js';
import type { CreationTargetResult } from './creation-bench.js';
import { completedPerSecond, cpuMicrosPerOperation, headlineCreationStep, type CreationWorkload } from './creation-step.js';

const TITLES: Readonly<Record<CreationWorkload, string>> = {
  'publish-new': 'PUBLISH with no watchers: an initial PUBLISH for a new presentity each (setup = PUBLISH → 200)',
  'subscribe-setup': 'SUBSCRIBE dialog setup: a new watcher\'s SUBSCRIBE each, done when its first NOTIFY is answered (setup = SUBSCRIBE → first NOTIFY)',
};
const GENERATOR_BUSY_PCT = 90;
export const CREATION_UNITS: Readonly<Record<CreationWorkload, string>> = { 'publish-new': 'new PUBLISH/s', 'subscribe-setup': 'new dialogs/s' };

const COLUMNS: Column[] = [
  { title: 'target' },
  ...['rate', 'sent', 'done', 'done/s', 'failed', 'unfinished', 'retrans', 'p50 ms', 'p99 ms', 'CPU µs/op', 'gen CPU'].map((title) => ({ title, align: 'right' as const })),
  { title: 'held' },
  { title: 'why not' },
];

/** One row per step of every ramp of `workload`, the held rate of each under it, then ours/reference per generator. */
export function creationTable(workload: CreationWorkload, results: readonly CreationTargetResult[]): string {
  const mine = results.filter((r) => r.workload === workload);
  const rows = mine.flatMap((result) =>
    result.ramp.steps.map(({ step, held, reasons }) => {
      const cpu = cpuMicrosPerOperation(step);
      return [
        result.label,
        formatRate(step.targetRate),
        String(step.attempted),
        String(step.completed),
        formatRate(completedPerSecond(step)),
        String(Object.values(step.errorCodes).reduce((a, b) => a + b, 0)),
        String(step.unfinished),
        String(step.retransmissions),
        formatMs(step.setup.p50Ms, step.setup.count),
        formatMs(step.setup.p99Ms, step.setup.count),
        cpu === undefined ? '-' : cpu.toFixed(0),
        `${step.generatorCpuPctMax.toFixed(0)}%`,
        held ? 'yes' : 'no',
        reasons.join('; '),
      ];
    }),
  );
  const lines = [TITLES[workload], renderTable(COLUMNS, rows)];
  // What the failures were: a status code, or what SIPp expected and got instead.
  for (const result of mine) {
    for (const { step } of result.ramp.steps) {
      const errors = Object.entries(step.errorCodes).map(([what, n]) => `${n}× ${what}`);
      if (errors.length > 0) lines.push(`${result.label} at ${step.targetRate}/s failed: ${errors.join('; ')}`);
    }
  }
  // One generator process per target: when it is this busy, it may be what set the pace.
  for (const result of mine) {
    const busy = result.ramp.steps.filter((s) => s.step.generatorCpuPctMax > GENERATOR_BUSY_PCT).map((s) => `${s.step.targetRate}/s (${s.step.generatorCpuPctMax.toFixed(0)}%)`);
    if (busy.length > 0) lines.push(`warning: ${result.label}: the generator was over ${GENERATOR_BUSY_PCT}% of a core at ${busy.join(', ')}: it may have set the pace`);
  }
  lines.push('');
  for (const result of mine) lines.push(`${result.label}: ${heldSentence(result)}`);
  for (const [ours, reference] of creationPairs(mine)) {
    const a = creationHeadline(ours);
    const b = creationHeadline(reference);
    const cpu = a.cpuMicros !== undefined && b.cpuMicros !== undefined ? `; CPU per op ${ratio(a.cpuMicros, b.cpuMicros)} (${a.cpuMicros.toFixed(0)} vs ${b.cpuMicros.toFixed(0)} µs; lower is better)` : '';
    lines.push(`${ours.label} / ${reference.label}: held ${a.heldRate === undefined || b.heldRate === undefined ? 'n/a' : ratio(a.heldRate, b.heldRate)} (${a.heldRate ?? 'none'} vs ${b.heldRate ?? 'none'} ${CREATION_UNITS[workload]})${cpu}`);
  }
  return lines.join('\n');
}

function heldSentence(result: CreationTargetResult): string {
  const { maxHeldRate, failedRate } = result.ramp;
  const held = maxHeldRate === undefined ? 'none held (the first step failed)' : `held ${maxHeldRate} ${CREATION_UNITS[result.workload]}`;
  return failedRate === undefined ? `${held} (the ramp reached --max-rate)` : `${held}, failed at ${failedRate}/s`;
}

export interface CreationHeadline {
  /** Highest target rate held. */
  readonly heldRate?: number;
  /** p99 setup at the headline step (the highest held, else the first). */
  readonly p99Ms?: number;
  readonly cpuMicros?: number;
}

export function creationHeadline(result: CreationTargetResult): CreationHeadline {
  const step = headlineCreationStep(result.ramp)?.step;
  const cpu = step === undefined ? undefined : cpuMicrosPerOperation(step);
  return {
    ...(result.ramp.maxHeldRate === undefined ? {} : { heldRate: result.ramp.maxHeldRate }),
    ...(step === undefined || step.setup.count === 0 ? {} : { p99Ms: step.setup.p99Ms }),
    ...(cpu === undefined ? {} : { cpuMicros: cpu }),
  };
}

/** (ours, Kamailio) of the same generator, in the order the run made them. */
export function creationPairs(results: readonly CreationTargetResult[]): Array<readonly [CreationTargetResult, CreationTargetResult]> {
  const pairs: Array<readonly [CreationTargetResult, CreationTargetResult]> = [];
  for (const ours of results) {
    if (ours.mode === 'kamailio') continue;
    const reference = results.find((r) => r.mode === 'kamailio' && r.workload === ours.workload && r.generatedBy === ours.generatedBy);
    if (reference !== undefined) pairs.push([ours, reference]);
  }
  return pairs;
}
