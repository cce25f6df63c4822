import type { UserRecord } from '@presence/core';
import type { StoreLogger } from '../store-logger.js';
import type { UserTable } from './user-table.js';
import type { UsersFile } from './users-file.js';

/**
 * Keeps a MemoryStore's UserTable equal to `users.json`, which `presence
 * user` changes while the server runs (ARCHITECTURE "Users and
 * authentication state"):
 *
 * - read at creation; afterwards one stat every interval (unref-ed timer,
 *   never per request), and a read only when the file's version changed,
 *   so a change is served within about one interval, without restart;
 * - the store's own putUser/deleteUser go through the file (read-modify-
 *   write under its lock), so the server never writes back users it read
 *   earlier over a command's change;
 * - a file that cannot be read or parsed keeps the users loaded before
 *   (none at creation: nobody authenticates rather than anybody), with one
 *   log line per bad version, not one per interval.
 *
 * Checks and writes run one at a time, so a slow read of an older version
 * never lands after a newer write.
 */
export class UsersFileSync {
  /** Version of the file the table holds; a different one on disk means reload. */
  private loadedVersion: string | undefined;
  /** The problem last reported (version and message), so each is reported once. */
  private reported: string | undefined;
  private everLoaded = false;
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private checking = false;

  constructor(
    private readonly table: UserTable,
    private readonly file: UsersFile,
    private readonly logger: StoreLogger,
  ) {}

  /** Reads the file into the table at creation. */
  load(): Promise<void> {
    return this.check();
  }

  /** Starts checking the file every interval (unref-ed: it never keeps the process alive). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.checking) return;
      this.checking = true;
      void this.check().finally(() => {
        this.checking = false;
      });
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One stat; reloads when the file changed since it was read. Never rejects. */
  check(): Promise<void> {
    return this.serially(async () => {
      let version: string;
      try {
        version = await this.file.version();
      } catch (error) {
        this.reportOnce('stat', 'cannot be checked: keeping the users loaded before', error);
        return;
      }
      if (version !== this.loadedVersion) await this.reload(version);
    });
  }

  /** Creates or replaces a user in the file, then in the table. */
  put(record: UserRecord): Promise<void> {
    return this.serially(async () => {
      const { users } = await this.file.update((byAor) => {
        byAor.set(record.aor, record);
        return true;
      });
      this.table.replaceAll(users);
    });
  }

  /** Removes a user from the file, then from the table; false when the file had none. */
  delete(aor: string): Promise<boolean> {
    return this.serially(async () => {
      const { result, users } = await this.file.update((byAor) => byAor.delete(aor));
      this.table.replaceAll(users);
      return result;
    });
  }

  private async reload(seenVersion: string): Promise<void> {
    try {
      const { users, version } = await this.file.read();
      this.table.replaceAll(users);
      // The version read may be newer than the one stat saw; the next check then reads once more, harmlessly.
      this.loadedVersion = version;
      this.everLoaded = true;
      this.reported = undefined;
    } catch (error) {
      // Remember the bad version: it is not read again until the file changes.
      this.loadedVersion = seenVersion;
      const outcome = this.everLoaded ? 'keeping the users loaded before' : 'no users until it is fixed';
      this.reportOnce(seenVersion, `unreadable: ${outcome}`, error);
    }
  }

  private reportOnce(version: string, what: string, error: unknown): void {
    const key = `${version}|${error instanceof Error ? error.message : String(error)}`;
    if (key === this.reported) return;
    this.reported = key;
    this.logger.warn({ err: error, path: this.file.path }, `memory store users file ${what}`);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
