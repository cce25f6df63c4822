/**
 * `k6 run` for this repository's k6 scripts where no k6 binary exists (the
 * test machines): node loadtest/dist/k6-run-main.js run SCRIPT [-e NAME=VALUE]…
 * [--summary-export FILE]. Runs the script with the modules it uses provided
 * over Node (see loadtest/README.md, "Load tests with k6"), prints k6's
 * end-of-test summary and exits with k6's code (99 when a threshold failed).
 */
import { writeFileSync } from 'node:fs';
import { K6RunError, runK6Script } from './k6-harness/run-test.js';
import { formatSummary } from './k6-harness/summary-text.js';

const USAGE = 'usage: k6-run-main.js run SCRIPT [-e NAME=VALUE]... [--summary-export FILE]';

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] !== 'run' || argv[1] === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const env: Record<string, string> = {};
  let summaryExport: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if ((arg === '-e' || arg === '--env') && value !== undefined && value.includes('=')) {
      env[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
      i++;
    } else if (arg === '--summary-export' && value !== undefined) {
      summaryExport = value;
      i++;
    } else {
      process.stderr.write(`unknown argument ${arg}\n${USAGE}\n`);
      return 2;
    }
  }
  try {
    const summary = await runK6Script({ scriptPath: argv[1], env, log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(formatSummary(summary));
    if (summaryExport !== undefined) writeFileSync(summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
    return summary.exitCode;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof K6RunError ? error.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
