import { availableParallelism, cpus } from 'node:os';
import type { BenchConfig, GeneratorName } from './cli/bench-config.js';
import { parseBenchArgs, renderBenchHelp } from './cli/bench-options.js';
import { runCommand } from './modes/command-lifecycle.js';
import { compareResults, type Comparison } from './modes/compare-results.js';
import { runMessageWorkload } from './message/message-workload.js';
import { runRlsWorkload } from './rls/rls-workload.js';
import { runAgainstMode, type TargetResult } from './modes/run-workload.js';
import type { CreationTargetResult } from './creation/creation-bench.js';
import { creationTable } from './creation/creation-report.js';
import { CREATION_WORKLOADS } from './creation/creation-step.js';
import { runCreationRuns, runCreationWorkload } from './creation/creation-workload.js';
import { targetRows, targetsTable, type TargetsInput } from './creation/targets-table.js';
import { formatMs, formatRate, ratio } from './report/format.js';
import { profileTable } from './report/profile-table.js';
import { hopCostTable, memoryTable, stepTable, subscribeTable } from './report/result-tables.js';
import { runRecord, writeResult } from './report/write-result.js';

/**
 * `npm run bench -- [options]`: starts (or targets) a server, drives the
 * workload from forked generator processes, prints tables on stdout
 * (progress on stderr) and writes the full result as JSON.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);
/** A worker this busy may be what limits the rate: said so under the table. */
const GENERATOR_BUSY_PCT = 90;

async function main(): Promise<void> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(`${renderBenchHelp()}\n`);
    return;
  }
  const { config } = parsed;
  if (config.workload === 'message') return runMessageWorkload(config, log);
  if (config.workload === 'rls') return runRlsWorkload(config, log);
  if (config.workload === 'publish-new' || config.workload === 'subscribe-setup') return runCreationWorkload(config, config.workload, log);
  const startedAt = new Date();
  const results: TargetResult[] = [];
  const comparisons: Comparison[] = [];
  const generators: GeneratorName[] = config.generator === 'both' ? ['native', 'sipp'] : [config.generator];
  for (const generator of generators) {
    const modes = config.compare ? [config.mode, 'kamailio' as const] : [config.mode];
    const pair: TargetResult[] = [];
    // --watcher-profile: the same workload once per profile, each against a fresh server.
    const profiled = config.watcherProfiles.length === 0 ? [config] : config.watcherProfiles.map((watcherProfile) => ({ ...config, watcherProfile }));
    for (const mode of modes) for (const run of profiled) pair.push(await runAgainstMode(mode, run, log, generator));
    results.push(...pair);
    if (config.compare && pair.length === 2) comparisons.push(compareResults(pair[0]!, pair[1]!));
  }
  // --targets: the creation workloads after the fan-out, each server started afresh.
  const creation = config.targets ? await runCreationRuns(CREATION_WORKLOADS, config, log) : [];
  const targets: TargetsInput = { mode: config.mode, fanout: results, creation, settledMemory: config.run === 'memory' };
  process.stdout.write(`\n${render(config, results, comparisons)}\n`);
  if (config.targets) process.stdout.write(`\n${renderTargets(creation, targets)}\n`);
  const generatorSuffix = config.generator === 'native' ? '' : `-${config.generator}`;
  const name = `${config.compare ? `${config.mode}-vs-kamailio` : config.mode}${config.run === 'bench' ? '' : `-${config.run}`}${generatorSuffix}`;
  const path = await writeResult(config.outDir, name, {
    ...runRecord(startedAt, config),
    results,
    ...(comparisons.length === 0 ? {} : { comparison: comparisons[0], comparisons }),
    ...(config.targets ? { creation, targets: targetRows(targets) } : {}),
  });
  process.stdout.write(`\nresults: ${path}\n`);
}

function renderTargets(creation: readonly CreationTargetResult[], targets: TargetsInput): string {
  const parts = CREATION_WORKLOADS.map((workload) => creationTable(workload, creation));
  parts.push('issue #17 targets (from this run only; "not measured in this run" where it measured nothing)', targetsTable(targets));
  return parts.join('\n\n');
}

function render(config: BenchConfig, results: readonly TargetResult[], comparisons: readonly Comparison[]): string {
  const parts = [`subscribe phase (${config.transport}, ${results[0]?.workers ?? 0} generator processes)`, subscribeTable(results)];
  if (config.run !== 'memory') parts.push('', 'PUBLISH steps (rates per second, PUBLISH→NOTIFY latency in ms)', stepTable(config, results));
  // A target of several processes (a cluster) gets each one's cost: the hops.
  if (results.some((r) => r.steps.some((s) => Object.keys(s.summary.serverCpu?.byProcess ?? {}).length > 1))) {
    parts.push('', 'CPU per process over each PUBLISH step (window and drain): µs per NOTIFY received, per PUBLISH accepted; cores = CPU s / wall s', hopCostTable(results));
  }
  if (config.watcherProfiles.length > 0) {
    parts.push(
      '',
      `watcher profiles, --pidf-size ${config.pidfSize}, --status-every ${config.statusEvery} (per change = per accepted PUBLISH: the NOTIFYs of changes and their bytes; then the refresh round, one refresh per watcher per step, and the NOTIFY bytes per refresh)`,
      profileTable(results),
      'note: partial (RFC 5263) and conditional (RFC 5839) are what the watchers ask for; a server without them answers with full documents, and the figures say so.',
    );
  }
  for (const result of results) {
    const busy = result.steps.filter((s) => s.summary.workerCpuPctMax > GENERATOR_BUSY_PCT);
    if (busy.length === 0) continue;
    const rates = busy.map((s) => `${s.summary.targetRate}/s (${s.summary.workerCpuPctMax.toFixed(0)}%)`).join(', ');
    parts.push(`warning: ${result.label}: a generator process was over ${GENERATOR_BUSY_PCT}% CPU at ${rates}: the generator may have set the pace (try --workers)`);
  }
  if (results.some((r) => r.generatedBy === 'sipp')) {
    parts.push(
      'note: (sipp) rows come from the SIPp scenarios\' logs and statistics. SIPp gives no PUBLISH round trip, no re-NOTIFY count (it answers retransmissions itself)' +
        ' and no coalesced-change count (delivered = (watcher, PUBLISH) pairs seen / owed); a step lasts whole publisher rounds, the nearest to --duration.',
    );
  }
  for (const result of results) {
    if (result.findMax === undefined) continue;
    const held = result.findMax.maxHeldRate;
    parts.push(
      '',
      `${result.label}: highest rate held ${held === undefined ? 'none (the first step failed)' : `${held} PUBLISH/s`}` +
        (result.findMax.firstFailedRate === undefined ? ` (--max-rate ${config.findMax.maxRate} reached)` : `, failed at ${result.findMax.firstFailedRate}/s`) +
        ` [limits: p99 < ${config.findMax.p99LimitMs} ms, errors < ${config.findMax.errorLimitPct}%, delivered ≥ ${config.findMax.deliveryLimitPct}%]`,
    );
  }
  const memoryTitle =
    config.run === 'memory'
      ? `memory after the subscribe phase and ${config.memory.settleS} s (bytes per subscription = (after − idle) / subscriptions: this run's average, with what grows once under any load; the cost of one more held subscription is the slope between two runs, loadtest/dist/memory-slope-main.js)`
      : 'memory 0.5 s after the subscribe phase (registrations and live transactions included: --memory measures per-subscription cost)';
  parts.push('', memoryTitle, memoryTable(results));
  for (const comparison of comparisons) {
    const { ours, reference } = comparison.headline;
    const lines = [`${comparison.ours} / ${comparison.reference}:`];
    if (ours.notifyPerSecond !== undefined && reference.notifyPerSecond !== undefined) {
      lines.push(`  NOTIFY/s     ${ratio(ours.notifyPerSecond, reference.notifyPerSecond)}  (${formatRate(ours.notifyPerSecond)} vs ${formatRate(reference.notifyPerSecond)})`);
    }
    if (ours.p99Ms !== undefined && reference.p99Ms !== undefined) {
      lines.push(`  p99 latency  ${ratio(ours.p99Ms, reference.p99Ms)}  (${formatMs(ours.p99Ms)} vs ${formatMs(reference.p99Ms)} ms; lower is better)`);
    }
    if (ours.maxHeldRate !== undefined && reference.maxHeldRate !== undefined) {
      lines.push(`  max rate     ${ratio(ours.maxHeldRate, reference.maxHeldRate)}  (${ours.maxHeldRate} vs ${reference.maxHeldRate} PUBLISH/s)`);
    }
    if (ours.notifyPerCpuSecond !== undefined && reference.notifyPerCpuSecond !== undefined) {
      lines.push(`  NOTIFY/CPU-s ${ratio(ours.notifyPerCpuSecond, reference.notifyPerCpuSecond)}  (${formatRate(ours.notifyPerCpuSecond)} vs ${formatRate(reference.notifyPerCpuSecond)}; NOTIFYs per CPU second of the server's processes)`);
    }
    lines.push(`  bytes/sub    ${ratio(ours.bytesPerSubscription, reference.bytesPerSubscription)}  (${ours.bytesPerSubscription.toFixed(0)} vs ${reference.bytesPerSubscription.toFixed(0)}; lower is better)`);
    parts.push('', ...lines);
  }
  return parts.join('\n');
}

runCommand('bench', async () => {
  await main();
  return 0;
});
