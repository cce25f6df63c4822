import type { BenchConfig, GeneratorName, TargetMode } from '../cli/bench-config.js';
import { runRecord, writeResult } from '../report/write-result.js';
import { runCreationAgainstMode, type CreationTargetResult, type Log } from './creation-bench.js';
import { creationTable } from './creation-report.js';
import type { CreationWorkload } from './creation-step.js';
import { targetsTable } from './targets-table.js';

export function generatorsOf(config: BenchConfig): GeneratorName[] {
  return config.generator === 'both' ? ['native', 'sipp'] : [config.generator];
}

/** Each workload with each generator against --mode, then (--compare) Kamailio: ours and the reference side by side. */
export async function runCreationRuns(workloads: readonly CreationWorkload[], config: BenchConfig, log: Log): Promise<CreationTargetResult[]> {
  const results: CreationTargetResult[] = [];
  const modes: TargetMode[] = config.compare ? [config.mode, 'kamailio'] : [config.mode];
  for (const workload of workloads) for (const generator of generatorsOf(config)) for (const mode of modes) results.push(await runCreationAgainstMode(workload, mode, config, log, generator));
  return results;
}

/** `npm run bench -- --workload publish-new|subscribe-setup [--compare] [--generator …]`: the ramp's table and the #17 targets it measured. */
export async function runCreationWorkload(config: BenchConfig, workload: CreationWorkload, log: Log): Promise<void> {
  const startedAt = new Date();
  const results = await runCreationRuns([workload], config, log);
  const input = { mode: config.mode, fanout: [], creation: results, settledMemory: false };
  process.stdout.write(`\n${creationTable(workload, results)}\n\nissue #17 targets (from this run only)\n${targetsTable(input)}\n`);
  const name = `${workload}-${config.compare ? `${config.mode}-vs-kamailio` : config.mode}${config.generator === 'native' ? '' : `-${config.generator}`}`;
  const path = await writeResult(config.outDir, name, { ...runRecord(startedAt, config), creation: results });
  process.stdout.write(`\nresults: ${path}\n`);
}
