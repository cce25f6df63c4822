import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserRecord } from '@presence/core';
import { sleep } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreClosedError } from '../errors/store-closed-error.js';
import type { StoreLogger } from '../store-logger.js';
import { type MemoryStoreInspector, openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';
import { type MemoryStore, SNAPSHOT_FILE } from './memory-store.js';
import { USERS_FILE, UsersFile, UsersFileFormatError, UsersFileLockedError, decodeUsers, encodeUsers } from './users-file.js';
import { createUsersFileStore } from './users-file-store.js';

/** Users of a MemoryStore with a data directory: their own file, shared with `presence user` while the store runs. */

const T0 = 1_800_000_000_000;
const SECOND = 1_000;

class TestClock {
  constructor(public time = T0) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

function recordingLogger(): StoreLogger & { warnings: Array<{ context: object; message: string }> } {
  const warnings: Array<{ context: object; message: string }> = [];
  return { warnings, warn: (context, message) => void warnings.push({ context, message }), error: (context, message) => void warnings.push({ context, message }) };
}

const user = (name: string, rest: Partial<UserRecord> = {}): UserRecord => ({
  aor: `sip:${name}@example.com`,
  username: name,
  realm: 'example.com',
  ha1: { 'SHA-256': 'a'.repeat(64), MD5: 'b'.repeat(32) },
  enabled: true,
  ...rest,
});

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('MemoryStore users', () => {
  let dir: string;
  let dataDir: string;
  let clock: TestClock;
  const open: MemoryStore[] = [];

  async function start(options: { logger?: StoreLogger; usersCheckIntervalMs?: number; sweepIntervalMs?: number; dataDir?: string | null } = {}): Promise<{ store: MemoryStore; inspect: MemoryStoreInspector }> {
    const { dataDir: chosen, ...rest } = options;
    const opened = await openMemoryStoreForTest({ clock, ...(chosen === null ? {} : { dataDir: chosen ?? dataDir }), ...rest });
    open.push(opened.store);
    return opened;
  }

  const usersInFile = async (): Promise<string[]> => decodeUsers(await readFile(join(dataDir, USERS_FILE), 'utf8')).map((u) => u.aor);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memory-store-users-'));
    dataDir = join(dir, 'data');
    clock = new TestClock();
  });

  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((store) => store.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('users - live in users.json (mode 0600, no temporary or lock file left), never in the snapshot, and survive a restart', async () => {
    const { store: first } = await start();
    await first.putUser(user('alice', { displayName: 'Alice' }));
    await first.putUser(user('bob', { enabled: false }));
    await first.close();
    expect((await readdir(dataDir)).sort()).toEqual([SNAPSHOT_FILE, USERS_FILE].sort());
    expect((await stat(join(dataDir, USERS_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')).not.toContain('alice');
    const { store: second } = await start();
    expect(await second.listUsers(10)).toEqual([user('alice', { displayName: 'Alice' }), user('bob', { enabled: false })]);
  });

  it('users - a running store serves users another writer (presence user) adds, replaces and deletes, within the check interval', async () => {
    const { store } = await start({ usersCheckIntervalMs: 20 });
    const command = createUsersFileStore({ dataDir });
    expect(await store.user(user('alice').aor)).toBeUndefined();
    await command.putUser(user('alice'));
    await waitFor(async () => (await store.user(user('alice').aor)) !== undefined, 'the added user');
    await command.putUser(user('alice', { enabled: false }));
    await waitFor(async () => (await store.user(user('alice').aor))?.enabled === false, 'the replaced user');
    await command.deleteUser(user('alice').aor);
    await waitFor(async () => (await store.user(user('alice').aor)) === undefined, 'the deleted user');
  });

  it('users - putUsers writes many users at once, replacing those it names, and writes nothing when one record is bad', async () => {
    const command = createUsersFileStore({ dataDir });
    await command.putUser(user('alice', { enabled: false }));
    await command.putUsers([user('alice'), user('bob'), user('carol')]);
    expect(await command.listUsers(10)).toEqual([user('alice'), user('bob'), user('carol')]);
    const before = await readFile(join(dataDir, USERS_FILE), 'utf8');
    await expect(command.putUsers([user('dave'), user('erin', { ha1: { 'SHA-256': 'secret', MD5: 'b'.repeat(32) } })])).rejects.toThrow(/bad user record/);
    expect(await readFile(join(dataDir, USERS_FILE), 'utf8')).toBe(before);
    const { store } = await start();
    expect(await store.user(user('carol').aor)).toEqual(user('carol'));
  });

  it('users - the file is only stat-ed by the periodic check, never read again while it is unchanged', async () => {
    const { store, inspect } = await start({ usersCheckIntervalMs: 60_000 });
    await createUsersFileStore({ dataDir }).putUser(user('alice'));
    // Reads do not look at the file: the change shows at the next check only.
    expect(await store.user(user('alice').aor)).toBeUndefined();
    await inspect.checkUsersFile();
    expect(await store.user(user('alice').aor)).toEqual(user('alice'));
    // A check of an unchanged file leaves the users as they are.
    await inspect.checkUsersFile();
    expect(inspect.counts().users).toBe(1);
  });

  it('users - the running store never writes back users it read earlier over a change by another writer', async () => {
    const { store, inspect } = await start({ usersCheckIntervalMs: 60_000 });
    await store.putUser(user('alice'));
    const command = createUsersFileStore({ dataDir });
    await command.putUser(user('bob'));
    await command.deleteUser(user('alice').aor);
    // The store has not seen either change yet, and writes a user of its own: it merges into the file as it is now.
    expect(inspect.counts().users).toBe(1);
    await store.putUser(user('carol'));
    expect(await usersInFile()).toEqual([user('bob').aor, user('carol').aor]);
    expect((await store.listUsers(10)).map((u) => u.aor)).toEqual([user('bob').aor, user('carol').aor]);
    // Closing (last snapshot) leaves users.json alone.
    const before = await readFile(join(dataDir, USERS_FILE), 'utf8');
    await store.close();
    expect(await readFile(join(dataDir, USERS_FILE), 'utf8')).toBe(before);
  });

  it('users - concurrent writers in several stores lose nothing (one lock, fresh read under it)', async () => {
    const { store } = await start({ usersCheckIntervalMs: 60_000 });
    const commands = [createUsersFileStore({ dataDir }), createUsersFileStore({ dataDir })];
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => store.putUser(user(`s${i}`))),
      ...commands.flatMap((command, c) => Array.from({ length: 10 }, (_, i) => command.putUser(user(`c${c}-${i}`)))),
    ]);
    expect(await usersInFile()).toHaveLength(30);
    expect((await readdir(dataDir)).filter((name) => name !== USERS_FILE)).toEqual([]);
  });

  it('users - an unreadable users.json at run time keeps the users loaded before, says so once, and is read again once fixed', async () => {
    const logger = recordingLogger();
    const { store, inspect } = await start({ logger, usersCheckIntervalMs: 60_000 });
    await store.putUser(user('alice'));
    await inspect.checkUsersFile();
    await writeFile(join(dataDir, USERS_FILE), '{"format": "presence-users", trunc');
    await inspect.checkUsersFile();
    await inspect.checkUsersFile();
    expect(await store.user(user('alice').aor)).toEqual(user('alice'));
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.message).toContain('keeping the users loaded before');
    // A writer refuses to replace a file it cannot read (the users in it would be lost).
    await expect(store.putUser(user('bob'))).rejects.toBeInstanceOf(UsersFileFormatError);
    await expect(createUsersFileStore({ dataDir }).putUser(user('bob'))).rejects.toBeInstanceOf(UsersFileFormatError);
    expect(await readFile(join(dataDir, USERS_FILE), 'utf8')).toContain('trunc');
    await writeFile(join(dataDir, USERS_FILE), encodeUsers([user('carol')]));
    await inspect.checkUsersFile();
    expect((await store.listUsers(10)).map((u) => u.aor)).toEqual([user('carol').aor]);
  });

  it('users - an unreadable users.json at start means no users (never anybody), and the file is left as it is', async () => {
    await createUsersFileStore({ dataDir }).putUser(user('alice'));
    const valid = JSON.parse(await readFile(join(dataDir, USERS_FILE), 'utf8')) as { users: Array<Record<string, unknown>> };
    await writeFile(join(dataDir, USERS_FILE), JSON.stringify({ ...valid, users: [{ ...valid.users[0], ha1: { 'SHA-256': 'password', MD5: 'b'.repeat(32) } }] }));
    const logger = recordingLogger();
    const { store } = await start({ logger });
    expect(await store.listUsers(10)).toEqual([]);
    expect(logger.warnings.map((w) => w.message)).toEqual(['memory store users file unreadable: no users until it is fixed']);
    expect(await readdir(dataDir)).toEqual([USERS_FILE]);
  });

  it('users - a users file with a duplicate AOR or of another format is refused', () => {
    const one = JSON.parse(encodeUsers([user('alice')])) as { users: unknown[] };
    expect(() => decodeUsers(JSON.stringify({ ...one, users: [one.users[0], one.users[0]] }))).toThrow(/appears twice/);
    expect(() => decodeUsers(JSON.stringify({ ...one, format: 'other' }))).toThrow(UsersFileFormatError);
    expect(() => decodeUsers(JSON.stringify({ ...one, formatVersion: 2 }))).toThrow(/unknown format version 2/);
    expect(decodeUsers(encodeUsers([user('bob'), user('alice', { displayName: 'A' })]))).toEqual([user('alice', { displayName: 'A' }), user('bob')]);
  });

  it('users - a writer waits for the lock, gives up with UsersFileLockedError, and removes a lock left by a crashed writer', async () => {
    const path = join(dataDir, USERS_FILE);
    await createUsersFileStore({ dataDir }).putUser(user('alice'));
    await writeFile(`${path}.lock`, '12345\n');
    const impatient = new UsersFile(path, { lockTimeoutMs: 50 });
    await expect(impatient.update(() => true)).rejects.toBeInstanceOf(UsersFileLockedError);
    const old = new Date(Date.now() - 60 * SECOND);
    await utimes(`${path}.lock`, old, old);
    await impatient.update((byAor) => byAor.set(user('bob').aor, user('bob')));
    expect(await usersInFile()).toEqual([user('alice').aor, user('bob').aor]);
    expect(await readdir(dataDir)).toEqual([USERS_FILE]);
  });

  it('users - without a data directory users are in memory only', async () => {
    const { store, inspect } = await start({ dataDir: null });
    await store.putUser(user('alice'));
    expect(await store.user(user('alice').aor)).toEqual(user('alice'));
    expect(await store.deleteUser(user('alice').aor)).toBe(true);
    expect(inspect.counts().users).toBe(0);
  });

  it('users - the file store refuses calls once closed', async () => {
    const command = createUsersFileStore({ dataDir });
    expect(await command.listUsers(10)).toEqual([]);
    expect(await command.user(user('alice').aor)).toBeUndefined();
    expect(await command.deleteUser(user('alice').aor)).toBe(false);
    await expect(readdir(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await command.close();
    await expect(command.user(user('alice').aor)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(command.putUser(user('alice'))).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('auth state - lapsed nonce counts and failure counters are swept, and none of it is snapshotted', async () => {
    const { store, inspect } = await start({ sweepIntervalMs: 10 });
    await store.acceptNonceCount('n1', 1, 10 * SECOND);
    await store.countAuthFailure('ip:192.0.2.1', 20 * SECOND);
    const key = await store.nonceKey();
    expect(inspect.counts()).toMatchObject({ nonceCounts: 1, authFailureCounters: 1 });
    clock.advance(10 * SECOND);
    await waitFor(async () => inspect.counts().nonceCounts === 0, 'the nonce count sweep');
    expect(inspect.counts().authFailureCounters).toBe(1);
    clock.advance(10 * SECOND);
    await waitFor(async () => inspect.counts().authFailureCounters === 0, 'the failure counter sweep');
    await store.acceptNonceCount('n2', 1, 60 * SECOND);
    await store.close();
    const snapshot = await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8');
    expect(snapshot).not.toContain('n2');
    expect(snapshot).not.toContain(key);
    const { store: restarted } = await start();
    expect(await restarted.acceptNonceCount('n2', 1, 60 * SECOND)).toBe(true);
    expect(await restarted.nonceKey()).not.toBe(key);
  });
});
