import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUZZ_TARGETS, FUZZ_USAGE, parseFuzzOptions, type FuzzTargetName } from './fuzz-options.js';
import type { FuzzVerdict } from './fuzz-run.js';

/**
 * `npm run fuzz -- --minutes N [--seed S] [--target T] [--scale K]`: runs
 * the property tests of the target (the *.fuzz.test.ts and
 * *.fuzz.e2e.test.ts files, the same ones CI runs with fixed seeds) in
 * rounds, each with a fresh seed and more cases, until N minutes have
 * passed (a round started in time finishes). Prints each round's seed and
 * cases, and for a failure fast-check's shrunk counterexample and the
 * command that replays it. Exit 1 on a failure, 2 on bad options.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const VITEST = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const OUTPUT_TAIL = 4000;

function propertyFiles(target: FuzzTargetName): string[] {
  const { roots, suffix } = FUZZ_TARGETS[target];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(suffix)) found.push(relative(root, path));
    }
  };
  for (const dir of roots) walk(join(root, dir));
  return found.sort();
}

interface RoundResult {
  readonly verdicts: FuzzVerdict[];
  readonly notes: string[];
  readonly exitCode: number | null;
  readonly outputTail: string;
}

function runRound(target: FuzzTargetName, seed: number, scale: number): Promise<RoundResult> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-fuzz-'));
  const report = join(dir, 'verdicts.jsonl');
  writeFileSync(report, '');
  const args = [VITEST, 'run', '--project', FUZZ_TARGETS[target].project, '--reporter=dot', '--testTimeout=0', '--hookTimeout=120000', ...propertyFiles(target)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_SCALE: String(scale), FUZZ_REPORT: report, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // SIGINT reaches the child too (same process group); nothing is left behind.
  return new Promise((resolve) => {
    child.on('close', (exitCode) => {
      const lines = readFileSync(report, 'utf8').split('\n').filter((line) => line !== '');
      rmSync(dir, { recursive: true, force: true });
      const entries = lines.map((line) => JSON.parse(line) as FuzzVerdict | { note: string });
      const verdicts = entries.filter((e): e is FuzzVerdict => 'property' in e);
      const notes = entries.flatMap((e) => ('note' in e ? [e.note] : []));
      resolve({ verdicts, notes, exitCode, outputTail: output });
    });
  });
}

async function main(): Promise<number> {
  const options = parseFuzzOptions(process.argv.slice(2));
  if (typeof options === 'string') {
    console.error(`fuzz: ${options}\n${FUZZ_USAGE}`);
    return 2;
  }
  const deadline = Date.now() + options.minutes * 60_000;
  let totalCases = 0;
  for (let round = 1; round === 1 || (options.seed === undefined && Date.now() < deadline); round++) {
    const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
    for (const target of options.targets) {
      const scale = options.scale ?? FUZZ_TARGETS[target].scale;
      const started = Date.now();
      const result = await runRound(target, seed, scale);
      const cases = result.verdicts.reduce((sum, v) => sum + v.cases, 0);
      totalCases += cases;
      const failed = result.verdicts.filter((v) => v.failed);
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(`round ${round} ${target} seed ${seed} scale ${scale}: ${result.verdicts.length} properties, ${cases} cases, ${failed.length === 0 && result.exitCode === 0 ? 'ok' : 'FAILED'} (${seconds} s)`);
      for (const note of result.notes) console.log(`  ${note}`);
      if (failed.length > 0 || result.exitCode !== 0) {
        for (const verdict of failed) console.log(`\n${verdict.property} (property seed ${verdict.seed}):\n${verdict.report ?? ''}`);
        if (failed.length === 0) console.log(`\nthe tests failed outside a property:\n${result.outputTail}`);
        console.log(`\nreplay: npm run fuzz -- --target ${target} --seed ${seed} --scale ${scale}`);
        return 1;
      }
    }
  }
  console.log(`fuzz: ${totalCases} cases, no failure`);
  return 0;
}

process.exitCode = await main();
