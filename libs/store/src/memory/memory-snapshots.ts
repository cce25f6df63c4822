import type { Clock } from '@presence/core';
import type { StoreLogger } from '../store-logger.js';
import type { MemoryTables } from './memory-tables.js';
import { type StoreSnapshot, decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
import { quarantine, readTextIfExists, writeFileAtomic } from './snapshot-file.js';

/**
 * The durable copy of a MemoryStore's tables in one JSON file (ARCHITECTURE
 * "MemoryStore durability"): read back at creation, written atomically
 * every interval when something changed and once more when the store
 * closes. A file that cannot be read is moved aside as
 * `<file>.corrupt-<time>` and the store starts empty. Serialising is
 * synchronous: fine for single-node sizes, not for millions of records.
 */
export class MemorySnapshots {
  /** Mutations so far, and how many of them the last written snapshot holds. */
  private changes = 0;
  private savedChanges = 0;
  private writeChain: Promise<void> = Promise.resolve();
  private periodicWriteRunning = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(
    private readonly tables: MemoryTables,
    private readonly path: string,
    private readonly clock: Clock,
    private readonly logger: StoreLogger,
  ) {}

  /** Counts one mutation of the tables, for the next write to pick up. */
  changed(): void {
    this.changes++;
  }

  /** Reads the file into the tables at creation; a bad one is moved aside and the tables stay empty. */
  async load(): Promise<void> {
    let snapshot: StoreSnapshot;
    try {
      const text = await readTextIfExists(this.path);
      if (text === undefined) return;
      snapshot = decodeSnapshot(text);
    } catch (error) {
      await this.setAside(error);
      return;
    }
    this.tables.restore(snapshot, this.clock.now());
  }

  /** Starts the periodic writer (unref-ed: it never keeps the process alive). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => this.periodicWrite(), intervalMs);
    this.timer.unref();
  }

  /** Writes now when something changed since the last snapshot. */
  async checkpoint(): Promise<void> {
    if (this.changes === this.savedChanges) return;
    await this.persist();
  }

  /** Stops the periodic writer and writes a last snapshot (rejects if that fails). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.persist();
  }

  private periodicWrite(): void {
    if (this.stopped || this.periodicWriteRunning || this.changes === this.savedChanges) return;
    this.periodicWriteRunning = true;
    this.persist()
      .catch((error: unknown) => this.logger.error({ err: error, path: this.path }, 'memory store snapshot write failed'))
      .finally(() => {
        this.periodicWriteRunning = false;
      });
  }

  /** Writes a snapshot after any write already under way (one writer of the temp file at a time). */
  private persist(): Promise<void> {
    const run = this.writeChain.then(() => this.write());
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    const upTo = this.changes;
    const now = this.clock.now();
    this.tables.reap(now);
    await writeFileAtomic(this.path, encodeSnapshot(this.tables.snapshot(), now));
    if (upTo > this.savedChanges) this.savedChanges = upTo;
  }

  private async setAside(error: unknown): Promise<void> {
    try {
      const movedTo = await quarantine(this.path, this.clock.now());
      this.logger.warn({ err: error, path: this.path, movedTo }, 'memory store snapshot unreadable: moved aside, starting empty');
    } catch (renameError) {
      this.logger.error({ err: error, renameError, path: this.path }, 'memory store snapshot unreadable and not movable: starting empty');
    }
  }
}
