import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryGate, requireOrSkip } from '@presence/dev-tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchConfig } from '../dist/cli/bench-config.js';
import { parseBenchArgs } from '../dist/cli/bench-options.js';
import { runCreationAgainstMode, type CreationTargetResult } from '../dist/creation/creation-bench.js';
import type { TargetRow } from '../dist/creation/targets-table.js';
import { findKamailio } from '../dist/reference/kamailio.js';
import { SIPP_INSTALL_HINT } from '../dist/sipp/sipp-process.js';

/**
 * The creation workloads of issue #17 end to end, one short step each at a
 * low rate: new publications with no watchers (publish-new) and new
 * SUBSCRIBE dialogs to the first NOTIFY answered (subscribe-setup), from our
 * generator and from SIPp (loadtest/sipp/publish-new.xml,
 * subscribe-setup.xml), against our standalone server and the Kamailio
 * reference; then `npm run bench -- --targets --compare --generator both`
 * prints the targets table from one run. Counts only: no speed is judged.
 * It runs the built bench (dist/), as `npm run bench` does.
 */
const sippThere = requireOrSkip(binaryGate('sipp', SIPP_INSTALL_HINT), 'creation workloads (SIPp generator)');
const kamailioThere = requireOrSkip(
  { available: findKamailio() !== undefined, reason: 'kamailio is not installed (apt-get install -y kamailio kamailio-presence-modules)' },
  'creation workloads against Kamailio',
);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = join(ROOT, 'loadtest/dist/bench-main.js');
const RATE = 50;
const quiet = (): void => undefined;

describe.runIf(sippThere && kamailioThere)('creation workloads', () => {
  let outDir: string;
  let config: BenchConfig;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'bench-creation-test-'));
    // One step of 1 s at 50/s: --max-rate stops the ramp there.
    const parsed = parseBenchArgs(['--workload', 'publish-new', '--rate', String(RATE), '--max-rate', String(RATE), '--duration', '1', '--presentities', '5', '--out', outDir]);
    if (parsed.help) throw new Error('unexpected --help');
    config = parsed.config;
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  /** Every request of the step completed: answered 200 (publish-new), or 2xx and first NOTIFY answered (subscribe-setup). */
  function expectAllCompleted(result: CreationTargetResult): void {
    expect(result.ramp.steps).toHaveLength(1);
    const { step, held } = result.ramp.steps[0]!;
    expect(step).toMatchObject({ targetRate: RATE, attempted: RATE, completed: RATE, errorCodes: {}, unfinished: 0 });
    expect(step.setup.count).toBe(RATE);
    expect(step.setup.p99Ms).toBeGreaterThan(0);
    expect(step.serverCpuSeconds, 'the target\'s CPU over the step, from /proc').toBeGreaterThanOrEqual(0);
    expect(held).toBe(true);
    expect(result.ramp.maxHeldRate).toBe(RATE);
    expect(result.ramp.failedRate, 'the ramp stopped at --max-rate, not at a failure').toBeUndefined();
  }

  for (const workload of ['publish-new', 'subscribe-setup'] as const) {
    for (const mode of ['standalone', 'kamailio'] as const) {
      for (const generator of ['native', 'sipp'] as const) {
        it(`${workload} against ${mode} with the ${generator} generator: every request of the step completes`, async () => {
          const result = await runCreationAgainstMode(workload, mode, config, quiet, generator);
          expect(result).toMatchObject({ workload, mode, generatedBy: generator });
          expectAllCompleted(result);
        }, 60_000);
      }
    }
  }

  it('--targets --compare --generator both: the fan-out, both creation workloads and the targets table from one run', async () => {
    const args = [
      BENCH, '--targets', '--compare', '--generator', 'both', '--presentities', '5', '--watchers', '2', '--rate', '10', '--duration', '1', '--drain', '2',
      '--workers', '1', '--creation-rate', String(RATE), '--max-rate', String(RATE), '--out', outDir,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/PUBLISH with no watchers/);
    expect(stdout).toMatch(/SUBSCRIBE dialog setup/);
    expect(stdout).toMatch(/standalone \(sipp\) \/ kamailio \(sipp\): held ×1\.00 \(50 vs 50 new dialogs\/s\)/);
    expect(stdout).toMatch(/issue #17 targets/);
    const file = (await readdir(outDir)).find((f) => f.endsWith('-standalone-vs-kamailio-both.json'));
    expect(file).toBeDefined();
    const { creation, targets } = JSON.parse(await readFile(join(outDir, file!), 'utf8')) as { creation: CreationTargetResult[]; targets: TargetRow[] };
    expect(creation.map((r) => `${r.workload} ${r.label}`)).toEqual([
      'publish-new standalone (native)', 'publish-new kamailio (native)', 'publish-new standalone (sipp)', 'publish-new kamailio (sipp)',
      'subscribe-setup standalone (native)', 'subscribe-setup kamailio (native)', 'subscribe-setup standalone (sipp)', 'subscribe-setup kamailio (sipp)',
    ]);
    for (const result of creation) expectAllCompleted(result);
    // Both servers held the one rate tried: ×1.00 and missed the 2× targets, with both generators.
    const held = targets.filter((r) => /SUBSCRIBE setup|PUBLISH no watchers/.test(r.target));
    expect(held.map((r) => [r.generator, r.ratio, r.verdict])).toEqual([
      ['native', '×1.00', 'missed'], ['sipp', '×1.00', 'missed'], ['native', '×1.00', 'missed'], ['sipp', '×1.00', 'missed'],
    ]);
    expect(targets.filter((r) => r.target.startsWith('standalone fan-out: held')).map((r) => r.generator)).toEqual(['native', 'sipp']);
    expect(targets.find((r) => r.target.startsWith('cluster'))?.verdict).toBe('not measured in this run');
  }, 240_000);
});
