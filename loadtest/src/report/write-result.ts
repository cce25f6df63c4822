import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `<dir>/<timestamp>-<name>.json` and returns its path. */
export async function writeResult(dir: string, name: string, result: unknown, at = new Date()): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const path = join(dir, `${stamp}-${name}.json`);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
