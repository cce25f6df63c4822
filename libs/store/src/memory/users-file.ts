import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RecordProblem, RecordReader, type UserRecord } from '@presence/core';
import { compareAors, userRecordProblem } from '../user-record-check.js';
import { writeFileAtomic } from './snapshot-file.js';

/** File name of the users inside a data directory, beside the snapshot but never part of it. */
export const USERS_FILE = 'users.json';

const FORMAT = 'presence-users';
const FORMAT_VERSION = 1;
/** A users file larger than this is refused rather than read (millions of users belong in Redis). */
const MAX_USERS_FILE_BYTES = 64 * 1024 * 1024;

/** A users file that does not parse or does not have the expected shape. */
export class UsersFileFormatError extends Error {
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`bad users file: ${problem}`, options);
    this.name = 'UsersFileFormatError';
  }
}

/** Another writer held the users file's lock for longer than the wait allows. */
export class UsersFileLockedError extends Error {
  constructor(readonly lockPath: string) {
    super(`users file is locked by another writer (${lockPath}); try again, or remove the lock file if no "presence user" command is running`);
    this.name = 'UsersFileLockedError';
  }
}

/** Users as written to `users.json`: an object per user, readable and editable by hand, ordered by AOR. */
export function encodeUsers(users: Iterable<UserRecord>): string {
  const sorted = Array.from(users).sort((a, b) => compareAors(a.aor, b.aor));
  const records = sorted.map((u) => ({
    aor: u.aor,
    username: u.username,
    realm: u.realm,
    ha1: { 'SHA-256': u.ha1['SHA-256'], MD5: u.ha1.MD5 },
    ...(u.displayName === undefined ? {} : { displayName: u.displayName }),
    enabled: u.enabled,
  }));
  return `${JSON.stringify({ format: FORMAT, formatVersion: FORMAT_VERSION, users: records }, null, 2)}\n`;
}

const formatError = (problem: RecordProblem): UsersFileFormatError => new UsersFileFormatError(problem.message);

/** Parses and checks a users file's text; throws UsersFileFormatError on anything unexpected, a duplicate AOR included. */
export function decodeUsers(text: string): UserRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsersFileFormatError('not JSON', { cause: error });
  }
  const root = RecordReader.object(parsed, '', formatError);
  if (root.string('format') !== FORMAT) throw new UsersFileFormatError(`format is not ${FORMAT}`);
  const formatVersion = root.count('formatVersion');
  if (formatVersion !== FORMAT_VERSION) throw new UsersFileFormatError(`unknown format version ${formatVersion}`);
  const seen = new Set<string>();
  return root.list('users', (o) => {
    const ha1 = o.object('ha1');
    const displayName = o.optionalString('displayName');
    const record: UserRecord = {
      aor: o.string('aor'),
      username: o.string('username'),
      realm: o.string('realm'),
      ha1: { 'SHA-256': ha1.string('SHA-256'), MD5: ha1.string('MD5') },
      ...(displayName === undefined ? {} : { displayName }),
      enabled: o.boolean('enabled'),
    };
    const problem = userRecordProblem(record);
    if (problem !== undefined) throw new UsersFileFormatError(`user ${record.aor}: ${problem}`);
    if (seen.has(record.aor)) throw new UsersFileFormatError(`user ${record.aor} appears twice`);
    seen.add(record.aor);
    return record;
  });
}

/** The users of one version of the file, and that version's identity (see UsersFile.version). */
export interface UsersFileContents {
  readonly users: UserRecord[];
  readonly version: string;
}

export interface UsersFileOptions {
  /** How long update() waits for another writer's lock. Default 5 s. */
  readonly lockTimeoutMs?: number;
  /** A lock file older than this is taken to be left by a crashed writer and removed. Default 30 s. */
  readonly staleLockMs?: number;
}

/**
 * `users.json` of a data directory, shared by a running standalone server
 * (which reads it, see UsersFileSync) and `presence user` commands (which
 * change it while the server runs):
 *
 * - every writer replaces the file atomically (a temporary file of its own,
 *   then rename), so a reader sees the old or the new file, never a part;
 * - every change is a read-modify-write of the current file under
 *   `users.json.lock` (created exclusively), so two writers never lose each
 *   other's changes and no writer puts back users it read earlier;
 * - the file's version is its inode, size and mtime: a rename always makes
 *   a new inode, so a change is seen even within one mtime tick.
 *
 * The file holds HA1s, never passwords; it is created with mode 0600.
 */
export class UsersFile {
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;

  constructor(
    readonly path: string,
    options: UsersFileOptions = {},
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  /** The current version's identity, `missing` when there is no file; one stat. */
  async version(): Promise<string> {
    try {
      return versionOf(await stat(this.path, { bigint: true }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return MISSING;
      throw error;
    }
  }

  /** The users of the current file ([] when there is none) and the identity of the version read. */
  async read(): Promise<UsersFileContents> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { users: [], version: MISSING };
      throw error;
    }
    try {
      // Stat and read the same open file, so the version names exactly what was read.
      const stats = await handle.stat({ bigint: true });
      if (stats.size > BigInt(MAX_USERS_FILE_BYTES)) throw new UsersFileFormatError(`larger than ${MAX_USERS_FILE_BYTES} bytes`);
      const text = await handle.readFile('utf8');
      return { users: decodeUsers(text), version: versionOf(stats) };
    } finally {
      await handle.close();
    }
  }

  /**
   * Applies `change` to the users of the current file and writes the result,
   * all under the lock; returns what `change` returned and every user now in
   * the file. An unreadable file is never overwritten (the error is thrown).
   * `change` returning false leaves the file untouched.
   */
  async update<T>(change: (users: Map<string, UserRecord>) => T): Promise<{ result: T; users: UserRecord[] }> {
    await mkdir(dirname(this.path), { recursive: true });
    const unlock = await this.lock();
    try {
      const { users } = await this.read();
      const byAor = new Map(users.map((user) => [user.aor, user]));
      const result = change(byAor);
      if (result !== false) {
        const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFileAtomic(this.path, encodeUsers(byAor.values()), temporary);
        } catch (error) {
          await rm(temporary, { force: true });
          throw error;
        }
      }
      return { result, users: Array.from(byAor.values()) };
    } finally {
      await unlock();
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx', 0o600);
        try {
          await handle.writeFile(`${process.pid}\n`, 'utf8');
        } finally {
          await handle.close();
        }
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.removedStaleLock(lockPath)) continue;
      if (Date.now() >= deadline) throw new UsersFileLockedError(lockPath);
      await sleep(20);
    }
  }

  /** Removes a lock left by a crashed writer; true when the lock is gone (removed, or released meanwhile). */
  private async removedStaleLock(lockPath: string): Promise<boolean> {
    try {
      const { mtimeMs } = await stat(lockPath);
      if (Date.now() - mtimeMs < this.staleLockMs) return false;
      await rm(lockPath, { force: true });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
  }
}

const MISSING = 'missing';

function versionOf(stats: { ino: bigint; size: bigint; mtimeNs: bigint }): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}
