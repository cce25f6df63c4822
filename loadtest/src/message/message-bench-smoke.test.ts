import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Children } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageTargetResult } from './message-bench.js';

/** `npm run bench -- --workload message` as built (dist/: `npx tsc -b` first), small: 100 MESSAGEs per phase to 10 recipients. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH = join(ROOT, 'loadtest/dist/bench-main.js');

describe('message bench smoke', () => {
  const children = new Children();
  let out: string | undefined;

  afterEach(async () => {
    await children.killAll();
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it('message bench smoke - against standalone every MESSAGE is delivered online and offline-then-register, with latencies, and the table says so', async () => {
    expect(existsSync(BENCH), `${BENCH} missing: run npx tsc -b first`).toBe(true);
    out = await mkdtemp(join(tmpdir(), 'message-bench-smoke-'));
    const args = ['--workload', 'message', '--messages', '100', '--presentities', '10', '--concurrency', '10', '--out', out];
    const child = children.spawn(process.execPath, [BENCH, ...args], { cwd: ROOT });
    const { code } = await child.exit(60_000);
    expect(code, child.stderr()).toBe(0);
    expect(child.stdout()).toMatch(/standalone\s+online\s+100\s+100\s+0/);
    expect(child.stdout()).toMatch(/standalone\s+offline\s+100\s+100\s+0/);
    const [file] = await readdir(out);
    expect(file).toMatch(/-message-standalone\.json$/);
    const { results } = JSON.parse(await readFile(join(out, file!), 'utf8')) as { results: MessageTargetResult[] };
    for (const phase of results[0]!.phases) {
      expect(phase).toMatchObject({ sent: 100, delivered: 100, errors: 0, failures: {}, registerFailures: {} });
      expect(phase.p50Ms).toBeGreaterThan(0);
      expect(phase.p99Ms).toBeGreaterThanOrEqual(phase.p50Ms);
    }
  }, 90_000);
});
