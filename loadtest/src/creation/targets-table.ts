import type { GeneratorName, TargetMode } from '../cli/bench-config.js';
import type { StepSummary } from '../coordinator/load-session.js';
import type { TargetResult } from '../modes/run-workload.js';
import { formatMs, formatPercent, formatRate } from '../report/format.js';
import { renderTable, type Column } from '../report/text-table.js';
import type { CreationTargetResult } from './creation-bench.js';
import { creationHeadline, CREATION_UNITS } from './creation-report.js';
import type { CreationWorkload } from './creation-step.js';

/** What the run measured, for the table of issue #17's targets. Pure: no I/O. */
export interface TargetsInput {
  /** The mode measured against the reference: standalone or cluster (other modes judge no target). */
  readonly mode: TargetMode;
  /** The fan-out workload (--workload publish), every target and generator. */
  readonly fanout: readonly TargetResult[];
  readonly creation: readonly CreationTargetResult[];
  /** true when the memory figures come from --memory (settled), not from a load run. */
  readonly settledMemory: boolean;
}

export type Verdict = 'met' | 'missed' | 'not measured in this run';

export interface TargetRow {
  readonly target: string;
  readonly generator: GeneratorName | '-';
  readonly measured: string;
  readonly reference: string;
  readonly ratio: string;
  readonly verdict: Verdict;
  readonly note: string;
}

const NOT_MEASURED: Verdict = 'not measured in this run';
const KIB = 1024;
/** Bytes per subscription in whole bytes: the targets are a kB or two, where 1.5K would hide the margin. */
const bytes = (value: number): string => `${value.toFixed(0)} B`;

/** Issue #17's targets, each with the run's figure, Kamailio's, the ratio and met/missed; never a figure the run did not measure. */
export function targetRows(input: TargetsInput): TargetRow[] {
  const rows: TargetRow[] = [];
  const standalone = input.mode === 'standalone';
  const cluster = input.mode === 'cluster';
  const other = (target: string, mode: string): TargetRow => ({ target, generator: '-', measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: `the run measured --mode ${input.mode}, not ${mode}` });
  const generators = (results: ReadonlyArray<{ generatedBy: GeneratorName }>): GeneratorName[] => [...new Set(results.map((r) => r.generatedBy))];

  // Fan-out: held NOTIFY/s against Kamailio's, and (standalone) p99 at every rate both hold.
  const fanoutTarget = standalone ? 'standalone fan-out: held NOTIFY/s ≥ 2× Kamailio' : 'cluster fan-out: held NOTIFY/s ≥ 1× Kamailio';
  if (!standalone && !cluster) rows.push(other('fan-out held NOTIFY/s vs Kamailio', 'standalone or cluster'));
  else if (input.fanout.length === 0) rows.push({ ...other(fanoutTarget, ''), note: 'no fan-out workload in the run' });
  for (const generator of standalone || cluster ? generators(input.fanout) : []) {
    const ours = input.fanout.find((r) => r.generatedBy === generator && r.mode !== 'kamailio');
    const reference = input.fanout.find((r) => r.generatedBy === generator && r.mode === 'kamailio');
    if (ours === undefined) continue;
    rows.push(heldRow(fanoutTarget, generator, fanoutHeld(ours), reference === undefined ? undefined : fanoutHeld(reference), standalone ? 2 : 1, 'NOTIFY/s', fanoutNote(ours)));
    if (standalone) rows.push(p99Row(generator, ours, reference));
    if (cluster) rows.push(...clusterRows(generator, ours));
  }
  if (cluster) rows.push(other('standalone fan-out: p99 ≤ Kamailio\'s at each rate both hold', 'standalone'));
  else rows.push(other('cluster fan-out: ≥ 99.9% delivered, p99 ≤ 50 ms at half its peak', 'cluster'));

  // SUBSCRIBE dialog setup: ≥ 2× Kamailio standalone, ≥ 3,000/s in cluster.
  rows.push(...creationRows(input, 'subscribe-setup', standalone ? 'standalone SUBSCRIBE setup: held dialogs/s ≥ 2× Kamailio' : 'cluster SUBSCRIBE setup: held dialogs/s ≥ 3,000', standalone ? { ratio: 2 } : cluster ? { absolute: 3000 } : undefined));
  // PUBLISH with no watchers: a standalone target only.
  if (standalone) rows.push(...creationRows(input, 'publish-new', 'standalone PUBLISH no watchers: held new PUBLISH/s ≥ 2× Kamailio', { ratio: 2 }));
  else rows.push(other('standalone PUBLISH no watchers: held new PUBLISH/s ≥ 2× Kamailio', 'standalone'));

  // Memory per subscription.
  rows.push(...memoryRows(input, generators(input.fanout)));
  return rows;
}

const COLUMNS: Column[] = [{ title: 'target (issue #17)' }, { title: 'generator' }, { title: 'ours', align: 'right' }, { title: 'Kamailio', align: 'right' }, { title: 'ratio', align: 'right' }, { title: 'verdict' }, { title: 'note' }];

export function targetsTable(input: TargetsInput): string {
  const rows = targetRows(input).map((r) => [r.target, r.generator, r.measured, r.reference, r.ratio, r.verdict, r.note]);
  return renderTable(COLUMNS, rows);
}

interface Held {
  /** The figure held, or undefined when no step held. */
  readonly value: number | undefined;
  readonly text: string;
}

/** The fan-out step a target held at its highest rate: find-max's, or the single step if it held. */
function heldFanoutStep(result: TargetResult): StepSummary | undefined {
  const rate = result.findMax?.maxHeldRate;
  const held = result.steps.filter((s) => s.held && (rate === undefined || s.summary.targetRate === rate));
  return held.at(-1)?.summary;
}

function fanoutHeld(result: TargetResult): Held {
  const step = heldFanoutStep(result);
  return step === undefined ? { value: undefined, text: 'none held' } : { value: step.notifyPerSecond, text: `${formatRate(step.notifyPerSecond)} at ${step.targetRate} PUB/s` };
}

function fanoutNote(ours: TargetResult): string {
  return ours.findMax === undefined ? 'one step at --rate: the rate offered, not the most held (--find-max)' : '';
}

function heldRow(target: string, generator: GeneratorName, ours: Held, reference: Held | undefined, factor: number, unit: string, note: string): TargetRow {
  const base = { target, generator, measured: ours.text };
  if (reference === undefined) return { ...base, reference: 'not measured in this run', ratio: '-', verdict: NOT_MEASURED, note: note || 'no Kamailio run (--compare)' };
  if (ours.value === undefined) return { ...base, reference: reference.text, ratio: '-', verdict: 'missed', note: note || `ours held no step` };
  if (reference.value === undefined) return { ...base, reference: reference.text, ratio: '-', verdict: 'met', note: note || `Kamailio held no step; ours held ${unit}` };
  const r = ours.value / reference.value;
  return { ...base, reference: reference.text, ratio: `×${r.toFixed(2)}`, verdict: r >= factor ? 'met' : 'missed', note };
}

/** Standalone: at every rate both targets held, ours p99 PUBLISH→NOTIFY ≤ Kamailio's; the worst ratio is the figure. */
function p99Row(generator: GeneratorName, ours: TargetResult, reference: TargetResult | undefined): TargetRow {
  const target = 'standalone fan-out: p99 ≤ Kamailio\'s at each rate both hold';
  if (reference === undefined) return { target, generator, measured: '-', reference: 'not measured in this run', ratio: '-', verdict: NOT_MEASURED, note: 'no Kamailio run (--compare)' };
  const pairs = ours.steps.flatMap((a) => {
    const b = reference.steps.find((s) => s.held && s.summary.targetRate === a.summary.targetRate);
    return a.held && b !== undefined && b.summary.latency.count > 0 ? [{ rate: a.summary.targetRate, ours: a.summary.latency.p99Ms, theirs: b.summary.latency.p99Ms }] : [];
  });
  if (pairs.length === 0) return { target, generator, measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: 'no rate held by both' };
  const worst = pairs.reduce((w, p) => (p.ours / p.theirs > w.ours / w.theirs ? p : w));
  return {
    target,
    generator,
    measured: `${formatMs(worst.ours)} ms at ${worst.rate}/s`,
    reference: `${formatMs(worst.theirs)} ms`,
    ratio: `×${(worst.ours / worst.theirs).toFixed(2)}`,
    verdict: pairs.every((p) => p.ours <= p.theirs) ? 'met' : 'missed',
    note: `worst of ${pairs.length} rate(s) both held; lower is better`,
  };
}

/** Cluster: ≥ 99.9 % of NOTIFYs delivered at the held rate, p99 ≤ 50 ms at about half the peak. */
function clusterRows(generator: GeneratorName, ours: TargetResult): TargetRow[] {
  const step = heldFanoutStep(ours) ?? ours.steps.at(-1)?.summary;
  const delivered: TargetRow =
    step === undefined
      ? { target: 'cluster fan-out: ≥ 99.9% of NOTIFYs delivered', generator, measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: 'no step' }
      : { target: 'cluster fan-out: ≥ 99.9% of NOTIFYs delivered', generator, measured: `${formatPercent(step.deliveredRate)} at ${step.targetRate}/s`, reference: '-', ratio: '-', verdict: step.deliveredRate >= 0.999 ? 'met' : 'missed', note: '' };
  const peak = ours.findMax?.maxHeldRate;
  const half = peak === undefined ? undefined : ours.steps.filter((s) => s.summary.targetRate <= peak / 2 && s.summary.latency.count > 0).at(-1)?.summary;
  const latency: TargetRow =
    half === undefined
      ? { target: 'cluster fan-out: p99 ≤ 50 ms at half its peak', generator, measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: peak === undefined ? 'needs --find-max and a held step' : 'no step at or below half the peak' }
      : { target: 'cluster fan-out: p99 ≤ 50 ms at half its peak', generator, measured: `${formatMs(half.latency.p99Ms)} ms at ${half.targetRate}/s`, reference: '-', ratio: '-', verdict: half.latency.p99Ms <= 50 ? 'met' : 'missed', note: `peak held ${peak}/s` };
  return [delivered, latency];
}

function creationRows(input: TargetsInput, workload: CreationWorkload, target: string, goal: { ratio: number } | { absolute: number } | undefined): TargetRow[] {
  const results = input.creation.filter((r) => r.workload === workload);
  if (goal === undefined) return [{ target, generator: '-', measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: `no #17 target for --mode ${input.mode}` }];
  if (results.length === 0) return [{ target, generator: '-', measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: `no ${workload} workload in the run (--targets or --workload ${workload})` }];
  const unit = CREATION_UNITS[workload];
  return [...new Set(results.map((r) => r.generatedBy))].flatMap((generator) => {
    const ours = results.find((r) => r.generatedBy === generator && r.mode !== 'kamailio');
    const reference = results.find((r) => r.generatedBy === generator && r.mode === 'kamailio');
    if (ours === undefined) return [];
    const held = (r: CreationTargetResult): Held => {
      const h = creationHeadline(r);
      return h.heldRate === undefined ? { value: undefined, text: 'none held' } : { value: h.heldRate, text: `${h.heldRate}/s, p99 ${formatMs(h.p99Ms ?? 0)} ms` };
    };
    const note = ours.ramp.failedRate === undefined && ours.ramp.maxHeldRate !== undefined ? 'ramp reached --max-rate: the most held is higher' : '';
    if ('ratio' in goal) return [heldRow(target, generator, held(ours), reference === undefined ? undefined : held(reference), goal.ratio, unit, note)];
    const h = held(ours);
    const row = heldRow(target, generator, h, reference === undefined ? undefined : held(reference), 0, unit, note);
    return [{ ...row, verdict: h.value !== undefined && h.value >= goal.absolute ? 'met' : 'missed' }];
  });
}

function memoryRows(input: TargetsInput, generators: readonly GeneratorName[]): TargetRow[] {
  const standalone = input.mode === 'standalone';
  const cluster = input.mode === 'cluster';
  const note = input.settledMemory ? '' : 'read 0.5 s after subscribing, live transactions included: --memory settles first';
  const rows: TargetRow[] = [];
  if (!standalone && !cluster) return [{ target: 'memory per subscription', generator: '-', measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: `no #17 target for --mode ${input.mode}` }];
  for (const generator of generators) {
    const ours = input.fanout.find((r) => r.generatedBy === generator && r.mode !== 'kamailio');
    const reference = input.fanout.find((r) => r.generatedBy === generator && r.mode === 'kamailio');
    if (ours === undefined || ours.memoryCost.subscriptions === 0) continue;
    const all = (r: TargetResult): number => r.memoryCost.processes.reduce((t, p) => t + p.rssPerSubscription, 0) + (r.memoryCost.redisPerSubscription ?? 0);
    const theirs = reference === undefined ? undefined : all(reference);
    const vs = (value: number): Pick<TargetRow, 'reference' | 'ratio'> =>
      theirs === undefined || theirs <= 0 ? { reference: theirs === undefined ? 'not measured in this run' : bytes(theirs), ratio: '-' } : { reference: bytes(theirs), ratio: `×${(value / theirs).toFixed(2)}` };
    if (standalone) {
      const value = all(ours);
      rows.push({ target: 'standalone memory: ≤ 2 kB per subscription all-in', generator, measured: bytes(value), ...vs(value), verdict: value <= 2 * KIB ? 'met' : 'missed', note });
      continue;
    }
    const edge = ours.memoryCost.processes.filter((p) => p.name.startsWith('edge-')).reduce((t, p) => t + p.rssPerSubscription, 0);
    rows.push({ target: 'cluster memory: ≤ 1 kB RSS per subscription at the edges', generator, measured: bytes(edge), reference: '-', ratio: '-', verdict: edge <= KIB ? 'met' : 'missed', note });
    const redis = ours.memoryCost.redisPerSubscription;
    rows.push(
      redis === undefined
        ? { target: 'cluster memory: ≤ 1 kB in Redis per subscription', generator, measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: 'no Redis reading' }
        : { target: 'cluster memory: ≤ 1 kB in Redis per subscription', generator, measured: bytes(redis), reference: '-', ratio: '-', verdict: redis <= KIB ? 'met' : 'missed', note: `${note}${note === '' ? '' : '; '}at ${ours.memoryCost.subscriptions} subscriptions, not 1M` },
    );
  }
  if (rows.length === 0) rows.push({ target: 'memory per subscription', generator: '-', measured: '-', reference: '-', ratio: '-', verdict: NOT_MEASURED, note: 'no subscriptions held in the run' });
  return rows;
}
