import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';

/** Writes `<dir>/<timestamp>-<name>.json` and returns its path. */
export async function writeResult(dir: string, name: string, result: unknown, at = new Date()): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const path = join(dir, `${stamp}-${name}.json`);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** What every result file starts with: when the run went, on what machine, with which configuration. */
export function runRecord<C>(startedAt: Date, config: C): { startedAt: string; finishedAt: string; host: { node: string; cpus: number; cpuModel: string }; config: C } {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    host: { node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown' },
    config,
  };
}
