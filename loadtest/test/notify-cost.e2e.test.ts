import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `notify-cost-main` end to end, with a forked watcher and with the 200s
 * built in its own process (`--in-process`): every NOTIFY answered 200, a
 * figure per NOTIFY. Counts only: no speed is judged. It runs the built tool
 * (dist/), as its command line does.
 */
const TOOL = fileURLToPath(new URL('../dist/notify-cost-main.js', import.meta.url));
const run = promisify(execFile);

describe('notify-cost-main', () => {
  for (const mode of [[], ['--in-process']]) {
    it(`notify cost - every NOTIFY is answered 200 and costed ${mode.length === 0 ? 'with a watcher process' : 'in process'}`, async () => {
      const { stdout } = await run(process.execPath, ['--expose-gc', TOOL, '--notifies', '300', '--in-flight', '20', ...mode], { timeout: 60_000 });
      const figures = JSON.parse(stdout) as { notifies: number; failed: number; cpuUsPerNotify: number };
      expect(figures.notifies).toBe(300);
      expect(figures.failed).toBe(0);
      expect(figures.cpuUsPerNotify).toBeGreaterThan(0);
    }, 90_000);
  }
});
