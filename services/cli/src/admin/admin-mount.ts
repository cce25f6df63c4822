import { readFile } from 'node:fs/promises';
import { UsageError, type AdminMount, type OptionValues } from '@presence/runtime';
import { createAdminApi, type AdminDeps } from './admin-api.js';

/** The admin API of a role with the access its options give (`--admin-token-file`). */
export async function adminMount(values: OptionValues, deps: AdminDeps): Promise<AdminMount> {
  return { api: createAdminApi(deps), access: { token: await adminToken(values['admin-token-file'] as string | undefined) } };
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
