import { readFile } from 'node:fs/promises';
import { UsageError, type AdminMount, type OptionValues } from '@presence/runtime';
import { createAdminApi, type AdminDeps } from './admin-api.js';

/**
 * The token of `--admin-token-file`, read before anything is opened (a bad
 * file stops the start with nothing to undo), and then the admin API of the
 * role with that access.
 */
export async function prepareAdmin(values: OptionValues): Promise<(deps: AdminDeps) => AdminMount> {
  const token = await adminToken(values['admin-token-file'] as string | undefined);
  return (deps) => ({ api: createAdminApi(deps), access: { token } });
}

/** The token in the file (surrounding whitespace trimmed), read once at start; an unreadable or empty file is a usage error. */
export async function adminToken(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new UsageError(`--admin-token-file: cannot read ${file}: ${(error as Error).message}`);
  }
  if (token === '' || /\s/.test(token)) throw new UsageError(`--admin-token-file: ${file} must hold one token (no spaces), and it is ${token === '' ? 'empty' : 'not one word'}`);
  return token;
}
