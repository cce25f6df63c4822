import { stat } from 'node:fs/promises';
import { systemClock, type UserStore } from '@presence/core';
import { silentLogger, UsageError, type OptionValues } from '@presence/runtime';
import { createUsersFileStore } from '@presence/store';
import { openStore } from '../roles/backends.js';
import { UserCommandError, type UserAction } from './user-command.js';

export interface UserStoreTarget {
  readonly store: UserStore;
  close(): Promise<void>;
}

/**
 * The user store of the deployment the options name, as the roles would
 * open theirs: `--redis` (with `--prefix`) is the cluster's Redis and wins
 * over `--data-dir`, as it does for `presence standalone`; `--data-dir` is
 * a standalone server's users.json only (createUsersFileStore), never its
 * snapshot, so a running server is not disturbed. Only `add` may create a
 * missing data directory; any other command there is surely a wrong path.
 */
export async function openUserStoreTarget(values: OptionValues, action: UserAction): Promise<UserStoreTarget> {
  const redis = values.redis as string | undefined;
  if (redis) {
    let store;
    try {
      store = await openStore(values, systemClock, silentLogger);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UserCommandError(`cannot reach Redis at ${redis}: ${(error as Error).message}`);
    }
    return { store, close: () => store.close() };
  }
  const dataDir = values['data-dir'] as string | undefined;
  if (!dataDir) throw new UsageError('user: name the store: --data-dir DIR (a standalone server\'s) or --redis URL (a cluster\'s)');
  if (action !== 'add') {
    const isDirectory = await stat(dataDir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDirectory) throw new UserCommandError(`data directory ${dataDir} does not exist`);
  }
  const store = createUsersFileStore({ dataDir });
  return { store, close: () => store.close() };
}
