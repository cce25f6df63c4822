import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Children } from '@presence/dev-tools';
import type { RunSummary } from '../src/k6-harness/run-test.js';

/** The repository root; scripts and the built harness are found from here. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = join(ROOT, 'loadtest/dist/k6-run-main.js');
const PRESENCE = join(ROOT, 'services/cli/bin/presence.js');

export interface HarnessRun {
  readonly code: number | null;
  readonly summary: RunSummary;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `k6 run SCRIPT -e …` through the built harness (npx tsc -b first) and reads its exported summary. */
export async function runK6(children: Children, script: string, env: Record<string, string>, timeoutMs = 90_000): Promise<HarnessRun> {
  if (!existsSync(HARNESS)) throw new Error(`${HARNESS} missing: run npx tsc -b first`);
  const dir = await mkdtemp(join(tmpdir(), 'k6-harness-'));
  try {
    const out = join(dir, 'summary.json');
    const args = [HARNESS, 'run', join(ROOT, script), ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), '--summary-export', out];
    const child = children.spawn(process.execPath, args, { cwd: ROOT });
    const { code } = await child.exit(timeoutMs);
    if (!existsSync(out)) throw new Error(`no summary (exit ${code}):\n${child.stderr()}`);
    return { code, summary: JSON.parse(await readFile(out, 'utf8')) as RunSummary, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A value of the exported summary, e.g. value(run, 'sip_notify_change', 'count'); 0 when the metric got no sample. */
export function value(run: HarnessRun, metric: string, key: string): number {
  return run.summary.metrics[metric]?.values[key] ?? 0;
}

/** Every threshold of the run with its result, `metric: expression` → ok. */
export function thresholdResults(run: HarnessRun): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  for (const [name, metric] of Object.entries(run.summary.metrics)) {
    for (const [source, result] of Object.entries(metric.thresholds ?? {})) results[`${name}: ${source}`] = result.ok;
  }
  return results;
}

/**
 * `--auth none` when this build of `presence standalone` knows the option
 * (digest authentication becomes the default with it), nothing otherwise.
 */
export function authNoneArgs(): string[] {
  const help = execFileSync(process.execPath, [PRESENCE, 'standalone', '--help'], { encoding: 'utf8' });
  return /--auth\b/.test(help) ? ['--auth', 'none'] : [];
}
