import { randomBytes } from 'node:crypto';
import { ha1ForAll } from '@presence/auth';
import { systemClock, type UserRecord } from '@presence/core';
import { createRedisStore, createUsersFileStore } from '@presence/store';
import { runWindowed } from '../worker/windowed.js';
import { presentityUser, watcherUser } from '../worker/workload-grid.js';

/** Redis writes in flight while loading users: enough to pipeline, few enough to leave Redis responsive. */
const REDIS_WINDOW = 256;

/**
 * The users of a run with `--auth digest`: one per AOR it uses (every
 * presentity's publisher, every watcher), all with one password made up for
 * the run, which the workers get to answer the challenges with.
 */
export interface BenchUsers {
  readonly runId: string;
  readonly domain: string;
  readonly presentities: number;
  /** P×W: one watcher AOR per subscription. */
  readonly subscriptions: number;
  readonly password: string;
}

export function benchUsers(runId: string, domain: string, presentities: number, watchers: number): BenchUsers {
  return { runId, domain, presentities, subscriptions: presentities * watchers, password: randomBytes(18).toString('base64url') };
}

/**
 * Their records as `presence user add` writes them: username the AOR's user
 * part, realm the domain (the server's realm for a domain unless --realm
 * says otherwise), HA1s instead of the password.
 */
export function benchUserRecords(users: BenchUsers): UserRecord[] {
  const { runId, domain, password } = users;
  const record = (username: string): UserRecord => ({ aor: `sip:${username}@${domain}`, username, realm: domain, ha1: ha1ForAll(username, domain, password), enabled: true });
  const records: UserRecord[] = [];
  for (let p = 0; p < users.presentities; p++) records.push(record(presentityUser(runId, p)));
  for (let s = 0; s < users.subscriptions; s++) records.push(record(watcherUser(runId, s)));
  return records;
}

/** Into a standalone server's data directory (`users.json`), in one write: done before the server starts, it serves them from its first request. */
export async function writeUsersToDataDir(dataDir: string, users: BenchUsers): Promise<void> {
  const store = createUsersFileStore({ dataDir });
  try {
    await store.putUsers(benchUserRecords(users));
  } finally {
    await store.close();
  }
}

/** Into a cluster's Redis (default key prefix, as the edges the bench starts use). */
export async function writeUsersToRedis(url: string, users: BenchUsers): Promise<void> {
  const store = await createRedisStore({ url, clock: systemClock });
  try {
    const records = benchUserRecords(users);
    await runWindowed(records.length, REDIS_WINDOW, (i) => store.putUser(records[i]!));
  } finally {
    await store.close();
  }
}
