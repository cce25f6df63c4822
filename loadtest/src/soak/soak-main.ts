import { runCommand } from '../modes/command-lifecycle.js';
import { writeResult } from '../report/write-result.js';
import { parseSoakArgs, renderSoakHelp } from './soak-options.js';
import { driftReport, rowsTable } from './soak-report.js';
import { runSoak } from './soak-run.js';

/**
 * `npm run soak -- [--hours N] [--minutes M] [--mode standalone|cluster] …`:
 * a steady churning load for a long time, memory and latency read every
 * interval; prints the readings and the drift, writes the JSON, and exits 1
 * when memory grew past the bound or too many requests failed.
 */
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const parsed = parseSoakArgs(process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(`${renderSoakHelp()}\n`);
    return 0;
  }
  const { config } = parsed;
  const { result, rows } = await runSoak(config, log);
  const every = config.rowEvery === 1 ? 'per reading' : `per ${config.rowEvery} readings`;
  process.stdout.write(`\n${result.target}, ${config.transport}: readings ${every} (RSS/heap of each process after a full GC)\n${rowsTable(rows)}\n\n`);
  process.stdout.write(`${driftReport(result.summary, config.warmupS)}\n`);
  const path = await writeResult(config.outDir, `soak-${config.mode}`, result);
  process.stdout.write(`\nresults: ${path}\n`);
  return result.summary.verdict.passed ? 0 : 1;
}

runCommand('soak', main);
