import { UsageError } from '../cli/usage-error.js';
import { parseChaosArgs, renderChaosHelp } from './chaos-options.js';
import { renderChaosReport } from './chaos-report.js';
import { runChaos } from './run-chaos.js';

/** `npm run chaos -- [options]`: the report on stdout, progress on stderr; exit 1 when an invariant was violated, 2 on a usage error. */
async function main(): Promise<number> {
  const parsed = parseChaosArgs(process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(`${renderChaosHelp()}\n`);
    return 0;
  }
  const result = await runChaos(parsed.config, (line) => void process.stderr.write(`${line}\n`));
  process.stdout.write(`\n${renderChaosReport(result)}\n`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`npm run chaos: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`npm run chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
