import { UsageError } from '../cli/usage-error.js';
import { runAbortTasks } from './abort-cleanup.js';

/**
 * The life of a loadtest command (`bench`, `soak`): SIGINT/SIGTERM, or its
 * output closed under it (EPIPE), stop what it started (exit 130); a usage error is printed with the help hint
 * (exit 2); any other error with its stack, after stopping what it started
 * (exit 1); otherwise the exit code `main` returns.
 */
export function runCommand(name: string, main: () => Promise<number>): void {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  let aborting = false;
  const abort = (signal: NodeJS.Signals): void => {
    if (aborting) return;
    aborting = true;
    log(`\n${signal}: stopping what the ${name} started...`);
    void runAbortTasks().finally(() => process.exit(130));
  };
  process.on('SIGINT', abort);
  process.on('SIGTERM', abort);
  // Output piped into `head` that has exited: an unhandled EPIPE would kill us and orphan the servers we started.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') abort('SIGPIPE');
    });
  }
  main().then(
    (code) => process.exit(code),
    async (error: unknown) => {
      if (error instanceof UsageError) {
        log(`${name}: ${error.message}\n(npm run ${name} -- --help for the options)`);
        process.exit(2);
      }
      log(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await runAbortTasks();
      process.exit(1);
    },
  );
}
