import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Binding,
  Clock,
  CommitOutcome,
  DialogRecord,
  DueExpiry,
  Lease,
  PresentityChange,
  PresentityState,
  Store,
  WatcherRecord,
} from '@presence/core';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { type StoreLogger, silentStoreLogger } from '../store-logger.js';
import { BindingTable } from './binding-table.js';
import { assertPositiveTtl } from '../ttl-check.js';
import { DialogTable } from './dialog-table.js';
import { LeaseTable } from './lease-table.js';
import { MemberTable } from './member-table.js';
import { PartitionExpiryIndex } from './partition-expiry-index.js';
import { PresentityTable } from './presentity-table.js';
import { type StoreSnapshot, decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
import { quarantine, readTextIfExists, writeFileAtomic } from './snapshot-file.js';
import { WatcherTable } from './watcher-table.js';

export interface MemoryStoreOptions {
  /** The only time source: expiry of bindings and dialogs, snapshot times. */
  readonly clock: Clock;
  /** Directory of the durable snapshot (`memory-store.json`), created if missing; without it nothing survives a restart. */
  readonly dataDir?: string;
  readonly logger?: StoreLogger;
  /** A dialog stays loadable until expiresAt + dialogGraceMs (Redis: TTL = expires + grace). Default 30 s. */
  readonly dialogGraceMs?: number;
  /** Period of the snapshot writer, which writes only when something changed. Default 30 s. */
  readonly snapshotIntervalMs?: number;
  /** Period of the sweep dropping lapsed binding sets and dialogs (reads also check lazily). Default 10 s. */
  readonly sweepIntervalMs?: number;
}

export interface MemoryStoreCounts {
  readonly presentities: number;
  readonly watchers: number;
  readonly bindingSets: number;
  readonly dialogs: number;
  readonly expiryEntries: number;
}

/**
 * The in-memory Store (ARCHITECTURE "Bus and store are interfaces with two
 * implementations each"), same semantics as the Redis twin:
 *
 * - presentities: compare-and-set on revision; records are never deleted, so
 *   revision and version never go back (see PresentityTable);
 * - watchers: listWatchers returns every stored watcher, expired or not, in
 *   no particular order: the owner expires them from the index and must be
 *   able to see (and terminate) those not yet processed;
 * - publications and watchers are never dropped by the store itself; the
 *   per-partition expiry index tells their owner when to act;
 * - bindings and dialogs are plain soft state the store drops itself once
 *   lapsed (lazily on access and by a periodic sweep);
 * - leases and members are judged by the clock (see LeaseTable, MemberTable).
 *
 * With `dataDir`, a JSON snapshot of everything is written atomically every
 * `snapshotIntervalMs` when something changed and on close(), and read back
 * at creation. Reading it back drops binding sets and dialogs that lapsed
 * meanwhile but keeps publications and watchers even if expired: their index
 * entries are then due at once, so the owner still recomposes and sends the
 * terminated NOTIFYs instead of the state silently vanishing. A snapshot
 * that cannot be read is moved aside as `memory-store.json.corrupt-<time>`
 * and the store starts empty. Leases and members are not snapshotted: they
 * only matter between the workers of a cluster, which share a Redis store. Serialising is synchronous: fine for
 * single-node sizes, not for millions of records.
 */
export interface MemoryStore extends Store {
  /** Writes the snapshot now when something changed since the last one; no-op without dataDir. */
  checkpoint(): Promise<void>;
  /** Record counts, for metrics and tests. */
  counts(): MemoryStoreCounts;
}

/** File name of the snapshot inside dataDir. */
export const SNAPSHOT_FILE = 'memory-store.json';

export async function createMemoryStore(options: MemoryStoreOptions): Promise<MemoryStore> {
  const dialogGraceMs = options.dialogGraceMs ?? 30_000;
  const snapshotIntervalMs = options.snapshotIntervalMs ?? 30_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
  if (!(dialogGraceMs >= 0)) throw new RangeError(`dialogGraceMs must be >= 0, got ${dialogGraceMs}`);
  if (!(snapshotIntervalMs > 0)) throw new RangeError(`snapshotIntervalMs must be > 0, got ${snapshotIntervalMs}`);
  if (!(sweepIntervalMs > 0)) throw new RangeError(`sweepIntervalMs must be > 0, got ${sweepIntervalMs}`);
  const store = new InMemoryStore(options.clock, options.logger ?? silentStoreLogger, dialogGraceMs, options.dataDir === undefined ? undefined : join(options.dataDir, SNAPSHOT_FILE));
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true });
    await store.loadSnapshot();
  }
  store.startTimers(sweepIntervalMs, options.dataDir === undefined ? undefined : snapshotIntervalMs);
  return store;
}

class InMemoryStore implements MemoryStore {
  private readonly index = new PartitionExpiryIndex();
  private readonly presentities = new PresentityTable(this.index);
  private readonly watchers = new WatcherTable(this.index);
  private readonly locations = new BindingTable();
  private readonly dialogs: DialogTable;
  private readonly leases = new LeaseTable();
  private readonly members = new MemberTable();

  private closed = false;
  private closing: Promise<void> | undefined;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private snapshotTimer: ReturnType<typeof setInterval> | undefined;
  /** Mutations so far, and how many of them the last written snapshot holds. */
  private changes = 0;
  private savedChanges = 0;
  private writeChain: Promise<void> = Promise.resolve();
  private periodicWriteRunning = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: StoreLogger,
    dialogGraceMs: number,
    private readonly snapshotPath: string | undefined,
  ) {
    this.dialogs = new DialogTable(dialogGraceMs);
  }

  // PresentityStore

  async loadPresentity(presentity: string): Promise<PresentityState> {
    this.assertOpen();
    return this.presentities.load(presentity);
  }

  async loadPresentities(presentities: readonly string[]): Promise<PresentityState[]> {
    this.assertOpen();
    return presentities.map((presentity) => this.presentities.load(presentity));
  }

  async commitPresentity(change: PresentityChange): Promise<CommitOutcome> {
    this.assertOpen();
    const outcome = this.presentities.commit(change);
    if (outcome.ok) this.changes++;
    return outcome;
  }

  // WatcherStore

  async putWatcher(partition: number, watcher: WatcherRecord): Promise<void> {
    this.assertOpen();
    this.watchers.put(partition, watcher);
    this.changes++;
  }

  async removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined> {
    this.assertOpen();
    const removed = this.watchers.remove(partition, presentity, subscriptionId);
    if (removed !== undefined) this.changes++;
    return removed;
  }

  async listWatchers(presentity: string): Promise<WatcherRecord[]> {
    this.assertOpen();
    return this.watchers.list(presentity);
  }

  // ExpiryIndex

  async dueExpiries(partition: number, now: number, limit: number): Promise<DueExpiry[]> {
    this.assertOpen();
    return this.index.due(partition, now, limit);
  }

  async nextExpiry(partition: number): Promise<number | undefined> {
    this.assertOpen();
    return this.index.next(partition);
  }

  // LocationStore

  async bindings(aor: string, now: number): Promise<Binding[]> {
    this.assertOpen();
    return this.locations.read(aor, now, this.clock.now());
  }

  async replaceBindings(aor: string, next: readonly Binding[]): Promise<void> {
    this.assertOpen();
    this.locations.replace(aor, next, this.clock.now());
    this.changes++;
  }

  // DialogStore

  async saveDialog(dialog: DialogRecord): Promise<void> {
    this.assertOpen();
    this.dialogs.save(dialog, this.clock.now());
    this.changes++;
  }

  async loadDialog(subscriptionId: string): Promise<DialogRecord | undefined> {
    this.assertOpen();
    return this.dialogs.load(subscriptionId, this.clock.now());
  }

  async deleteDialog(subscriptionId: string): Promise<void> {
    this.assertOpen();
    this.dialogs.delete(subscriptionId);
    this.changes++;
  }

  // LeaseStore

  async acquireLease(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    this.assertOpen();
    assertPositiveTtl('lease ttlMs', ttlMs);
    return this.leases.acquire(partition, owner, ttlMs, this.clock.now());
  }

  async releaseLease(partition: number, owner: string): Promise<void> {
    this.assertOpen();
    this.leases.release(partition, owner);
  }

  async leaseHolder(partition: number): Promise<Lease | undefined> {
    this.assertOpen();
    return this.leases.holder(partition, this.clock.now());
  }

  // MembershipStore

  async heartbeat(member: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertPositiveTtl('heartbeat ttlMs', ttlMs);
    this.members.heartbeat(member, this.clock.now() + ttlMs);
  }

  async liveMembers(): Promise<string[]> {
    this.assertOpen();
    return this.members.live(this.clock.now());
  }

  async leave(member: string): Promise<void> {
    this.assertOpen();
    this.members.leave(member);
  }

  // Lifecycle

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  counts(): MemoryStoreCounts {
    return {
      presentities: this.presentities.size,
      watchers: this.watchers.size,
      bindingSets: this.locations.size,
      dialogs: this.dialogs.size,
      expiryEntries: this.index.size,
    };
  }

  async checkpoint(): Promise<void> {
    this.assertOpen();
    if (this.snapshotPath === undefined || this.changes === this.savedChanges) return;
    await this.persist();
  }

  /** Stops the timers and, with a data directory, writes a last snapshot (rejects if that fails). */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.snapshotTimer);
    this.sweepTimer = undefined;
    this.snapshotTimer = undefined;
    if (this.snapshotPath !== undefined) await this.persist();
  }

  /** Reads the snapshot at creation; a bad one is moved aside and the store starts empty. */
  async loadSnapshot(): Promise<void> {
    const path = this.snapshotPath;
    if (path === undefined) return;
    let snapshot: StoreSnapshot;
    try {
      const text = await readTextIfExists(path);
      if (text === undefined) return;
      snapshot = decodeSnapshot(text);
    } catch (error) {
      await this.setAside(path, error);
      return;
    }
    this.restore(snapshot);
  }

  startTimers(sweepIntervalMs: number, snapshotIntervalMs: number | undefined): void {
    this.sweepTimer = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweepTimer.unref();
    if (snapshotIntervalMs !== undefined) {
      this.snapshotTimer = setInterval(() => this.periodicSnapshot(), snapshotIntervalMs);
      this.snapshotTimer.unref();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private sweep(): void {
    const now = this.clock.now();
    this.locations.reap(now);
    this.dialogs.reap(now);
  }

  private periodicSnapshot(): void {
    if (this.closed || this.periodicWriteRunning || this.changes === this.savedChanges) return;
    this.periodicWriteRunning = true;
    this.persist()
      .catch((error: unknown) => this.logger.error({ err: error, path: this.snapshotPath }, 'memory store snapshot write failed'))
      .finally(() => {
        this.periodicWriteRunning = false;
      });
  }

  /** Writes a snapshot after any write already under way (one writer of the temp file at a time). */
  private persist(): Promise<void> {
    const run = this.writeChain.then(() => this.writeSnapshot());
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async writeSnapshot(): Promise<void> {
    const path = this.snapshotPath as string;
    const upTo = this.changes;
    const now = this.clock.now();
    this.locations.reap(now);
    this.dialogs.reap(now);
    await writeFileAtomic(path, encodeSnapshot(this.snapshot(), now));
    if (upTo > this.savedChanges) this.savedChanges = upTo;
  }

  private snapshot(): StoreSnapshot {
    return {
      presentities: Array.from(this.presentities.entries(), ([presentity, record]) => ({ presentity, ...record })),
      watchers: Array.from(this.watchers.entries()),
      bindings: Array.from(this.locations.entries(), ([aor, bindings]) => ({ aor, bindings })),
      dialogs: Array.from(this.dialogs.values()),
    };
  }

  private restore(snapshot: StoreSnapshot): void {
    const now = this.clock.now();
    for (const { presentity, ...record } of snapshot.presentities) this.presentities.restore(presentity, record);
    for (const { partition, record } of snapshot.watchers) this.watchers.put(partition, record);
    for (const { aor, bindings } of snapshot.bindings) {
      this.locations.replace(aor, bindings.filter((binding) => binding.expiresAt > now), now);
    }
    for (const dialog of snapshot.dialogs) this.dialogs.save(dialog, now);
  }

  private async setAside(path: string, error: unknown): Promise<void> {
    try {
      const movedTo = await quarantine(path, this.clock.now());
      this.logger.warn({ err: error, path, movedTo }, 'memory store snapshot unreadable: moved aside, starting empty');
    } catch (renameError) {
      this.logger.error({ err: error, renameError, path }, 'memory store snapshot unreadable and not movable: starting empty');
    }
  }
}
