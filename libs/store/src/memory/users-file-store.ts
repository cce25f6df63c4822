import { join } from 'node:path';
import type { UserRecord, UserStore } from '@presence/core';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { assertListLimit, assertUserRecord, compareAors, copyUserRecord } from '../user-record-check.js';
import { USERS_FILE, UsersFile, type UsersFileOptions } from './users-file.js';

/** The users of a data directory, read and written in the file itself; see createUsersFileStore. */
export interface UsersFileStore extends UserStore {
  /** The file it works on. */
  readonly path: string;
  /**
   * Creates or replaces every user of `records` in one locked
   * read-modify-write: putUser rewrites the whole file per user, which is
   * quadratic when loading thousands (the load generator's users). All are
   * checked before anything is written.
   */
  putUsers(records: readonly UserRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface UsersFileStoreOptions extends UsersFileOptions {
  /** The data directory of a standalone server (`--data-dir`); created on the first write. */
  readonly dataDir: string;
}

/**
 * The UserStore of a data directory without the rest of a MemoryStore: what
 * `presence user` uses, so it changes the users of a standalone server that
 * may be running on the same directory, and never touches that server's
 * snapshot (`memory-store.json`). Every call reads the file afresh; every
 * change is a locked read-modify-write (UsersFile), which the running
 * server picks up within about a second (UsersFileSync).
 */
export function createUsersFileStore(options: UsersFileStoreOptions): UsersFileStore {
  return new FileBackedUserStore(new UsersFile(join(options.dataDir, USERS_FILE), options));
}

class FileBackedUserStore implements UsersFileStore {
  private closed = false;

  constructor(private readonly file: UsersFile) {}

  get path(): string {
    return this.file.path;
  }

  async user(aor: string): Promise<UserRecord | undefined> {
    this.assertOpen();
    const { users } = await this.file.read();
    const found = users.find((user) => user.aor === aor);
    return found === undefined ? undefined : copyUserRecord(found);
  }

  async putUser(record: UserRecord): Promise<void> {
    this.assertOpen();
    assertUserRecord(record);
    const copy = copyUserRecord(record);
    await this.file.update((byAor) => {
      byAor.set(copy.aor, copy);
      return true;
    });
  }

  async putUsers(records: readonly UserRecord[]): Promise<void> {
    this.assertOpen();
    for (const record of records) assertUserRecord(record);
    const copies = records.map(copyUserRecord);
    await this.file.update((byAor) => {
      for (const copy of copies) byAor.set(copy.aor, copy);
      return copies.length > 0;
    });
  }

  async deleteUser(aor: string): Promise<boolean> {
    this.assertOpen();
    // Nothing to delete: no lock taken, no directory created.
    if (!(await this.file.read()).users.some((user) => user.aor === aor)) return false;
    return (await this.file.update((byAor) => byAor.delete(aor))).result;
  }

  async listUsers(limit: number): Promise<UserRecord[]> {
    this.assertOpen();
    assertListLimit(limit);
    if (limit === 0) return [];
    const { users } = await this.file.read();
    return users.sort((a, b) => compareAors(a.aor, b.aor)).slice(0, limit).map(copyUserRecord);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}
