import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `path` atomically: write a temporary file beside it, fsync it,
 * rename it over `path`, fsync the directory. A crash at any point leaves
 * either the old or the new complete file. The default temporary name
 * assumes one writer per path; writers in several processes pass a
 * temporary name of their own.
 */
export async function writeFileAtomic(path: string, contents: string, temporary = `${path}.tmp`): Promise<void> {
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(contents, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}

async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not every platform/file system can fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/** The file's text, or undefined when it does not exist; other read errors are thrown. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Moves a bad file aside as `<path>.corrupt-<time>` and returns the new path. */
export async function quarantine(path: string, time: number): Promise<string> {
  const target = `${path}.corrupt-${time}`;
  await rename(path, target);
  return target;
}
