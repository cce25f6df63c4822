import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Binding,
  Clock,
  CommitOutcome,
  DialogRecord,
  DueExpiry,
  Lease,
  OfflineMessages,
  OfflineQueueLimits,
  OfflineStoreOutcome,
  Page,
  PresentityChange,
  PresentityState,
  Store,
  StoredMessage,
  UserRecord,
  WatcherPut,
  WatcherRecord,
  XcapConditions,
  XcapDeleteOutcome,
  XcapDocument,
  XcapDocumentRef,
  XcapWriteOutcome,
  XcapServiceClaim,
  XcapClaimOutcome,
} from '@presence/core';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { type StoreLogger, silentStoreLogger } from '../store-logger.js';
import { assertNonceCount, assertOfflineLimits, assertPositiveTtl } from '../ttl-check.js';
import { assertListLimit, assertUserRecord } from '../user-record-check.js';
import { MemorySnapshots } from './memory-snapshots.js';
import { MemoryTables } from './memory-tables.js';
import { OfflineMessageFiles } from './offline-message-files.js';
import { USERS_FILE, UsersFile } from './users-file.js';
import { assertServiceUri, assertXcapConditions, assertXcapOwner, assertXcapRef } from '../xcap-document-check.js';
import { UsersFileSync } from './users-file-sync.js';

export interface MemoryStoreOptions {
  /** The only time source: expiry of bindings and dialogs, snapshot times. */
  readonly clock: Clock;
  /**
   * Directory of the durable snapshot (`memory-store.json`) and of the users
   * (`users.json`, shared with `presence user`), created if missing; without
   * it nothing survives a restart.
   */
  readonly dataDir?: string;
  readonly logger?: StoreLogger;
  /** A dialog stays loadable until expiresAt + dialogGraceMs (Redis: TTL = expires + grace). Default 30 s. */
  readonly dialogGraceMs?: number;
  /** Period of the snapshot writer, which writes only when something changed. Default 30 s. */
  readonly snapshotIntervalMs?: number;
  /** Period of the sweep dropping lapsed binding sets and dialogs (reads also check lazily). Default 10 s. */
  readonly sweepIntervalMs?: number;
  /** With dataDir: how often `users.json` is checked (one stat) for changes made by `presence user`. Default 1 s. */
  readonly usersCheckIntervalMs?: number;
}

/**
 * The in-memory Store (ARCHITECTURE "Bus and store are interfaces with two
 * implementations each"), same semantics as the Redis twin:
 *
 * - presentities: compare-and-set on revision; records are never deleted, so
 *   revision and version never go back (see PresentityTable);
 * - publications and watchers are never dropped by the store itself; the
 *   per-partition expiry index tells their owner when to act;
 * - bindings and dialogs are plain soft state the store drops itself once
 *   lapsed (lazily on access and by a periodic sweep);
 * - leases and members are judged by the clock (see LeaseTable, MemberTable).
 *
 * One table per port holds the state (MemoryTables); this class only checks
 * the store is open, reads the clock and counts changes for the snapshot.
 * With `dataDir`, MemorySnapshots keeps a JSON snapshot of everything
 * (`memory-store.json`, written every `snapshotIntervalMs` when something
 * changed and on close(), read back at creation; see MemoryTables.restore
 * for what survives). Users are kept apart from the snapshot in
 * `users.json`, which `presence user` may change while the store runs: see
 * UsersFileSync. Authentication state is memory-only soft state. XCAP
 * documents are durable: a change is in the snapshot file before it is
 * acknowledged.
 */
export type MemoryStore = Store;

/** File name of the snapshot inside dataDir. */
export const SNAPSHOT_FILE = 'memory-store.json';

export async function createMemoryStore(options: MemoryStoreOptions): Promise<MemoryStore> {
  return (await openMemoryStore(options)).store;
}

/** A MemoryStore with the tables and snapshots it is made of, for test support that reads them; the package does not export it. */
export interface OpenedMemoryStore {
  readonly store: MemoryStore;
  readonly tables: MemoryTables;
  readonly snapshots: MemorySnapshots | undefined;
  readonly users: UsersFileSync | undefined;
}

export async function openMemoryStore(options: MemoryStoreOptions): Promise<OpenedMemoryStore> {
  const dialogGraceMs = options.dialogGraceMs ?? 30_000;
  const snapshotIntervalMs = options.snapshotIntervalMs ?? 30_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
  const usersCheckIntervalMs = options.usersCheckIntervalMs ?? 1_000;
  if (!(dialogGraceMs >= 0)) throw new RangeError(`dialogGraceMs must be >= 0, got ${dialogGraceMs}`);
  if (!(snapshotIntervalMs > 0)) throw new RangeError(`snapshotIntervalMs must be > 0, got ${snapshotIntervalMs}`);
  if (!(sweepIntervalMs > 0)) throw new RangeError(`sweepIntervalMs must be > 0, got ${sweepIntervalMs}`);
  if (!(usersCheckIntervalMs > 0)) throw new RangeError(`usersCheckIntervalMs must be > 0, got ${usersCheckIntervalMs}`);
  const tables = new MemoryTables(dialogGraceMs);
  const logger = options.logger ?? silentStoreLogger;
  let snapshots: MemorySnapshots | undefined;
  let users: UsersFileSync | undefined;
  let offlineFiles: OfflineMessageFiles | undefined;
  if (options.dataDir !== undefined) {
    snapshots = new MemorySnapshots(tables, join(options.dataDir, SNAPSHOT_FILE), options.clock, logger);
    users = new UsersFileSync(tables.users, new UsersFile(join(options.dataDir, USERS_FILE)), logger);
    await mkdir(options.dataDir, { recursive: true });
    await snapshots.load();
    await users.load();
    offlineFiles = new OfflineMessageFiles(options.dataDir, logger);
    for (const { recipient, message } of await offlineFiles.load(options.clock.now())) tables.offline.append(recipient, message);
    tables.offline.settle();
  }
  const store = new InMemoryStore(tables, snapshots, users, options.clock, offlineFiles);
  store.startSweeping(sweepIntervalMs);
  snapshots?.start(snapshotIntervalMs);
  users?.start(usersCheckIntervalMs);
  return { store, tables, snapshots, users };
}

class InMemoryStore implements MemoryStore {
  private closed = false;
  private closing: Promise<void> | undefined;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly tables: MemoryTables,
    private readonly snapshots: MemorySnapshots | undefined,
    private readonly users: UsersFileSync | undefined,
    private readonly clock: Clock,
    private readonly offlineFiles: OfflineMessageFiles | undefined,
  ) {}

  // PresentityStore

  async loadPresentity(presentity: string): Promise<PresentityState> {
    this.assertOpen();
    return this.tables.presentities.load(presentity);
  }

  async loadPresentities(presentities: readonly string[]): Promise<PresentityState[]> {
    this.assertOpen();
    return presentities.map((presentity) => this.tables.presentities.load(presentity));
  }

  async commitPresentity(change: PresentityChange): Promise<CommitOutcome> {
    this.assertOpen();
    const outcome = this.tables.presentities.commit(change);
    if (outcome.ok) this.changed();
    return outcome;
  }

  // WatcherStore

  async putWatcher(partition: number, watcher: WatcherRecord): Promise<WatcherRecord | undefined> {
    this.assertOpen();
    const previous = this.tables.watchers.put(partition, watcher);
    this.changed();
    return previous;
  }

  async putWatcherAndLoad(partition: number, watcher: WatcherRecord): Promise<WatcherPut> {
    const previous = await this.putWatcher(partition, watcher);
    return { previous, state: this.tables.presentities.load(watcher.presentity) };
  }

  async removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined> {
    this.assertOpen();
    const removed = this.tables.watchers.remove(partition, presentity, subscriptionId);
    if (removed !== undefined) this.changed();
    return removed;
  }

  // ExpiryIndex

  async dueExpiries(partition: number, now: number, limit: number): Promise<DueExpiry[]> {
    this.assertOpen();
    return this.tables.index.due(partition, now, limit);
  }

  async publishedPresentities(partition: number): Promise<number> {
    this.assertOpen();
    return this.tables.index.presentityCount(partition);
  }

  // LocationStore

  async bindings(aor: string, now: number): Promise<Binding[]> {
    this.assertOpen();
    return this.tables.locations.read(aor, now, this.clock.now());
  }

  async replaceBindings(aor: string, next: readonly Binding[]): Promise<void> {
    this.assertOpen();
    this.tables.locations.replace(aor, next, this.clock.now());
    this.changed();
  }

  // DialogStore

  async saveDialog(dialog: DialogRecord): Promise<void> {
    this.assertOpen();
    this.tables.dialogs.save(dialog, this.clock.now());
    this.changed();
  }

  async loadDialog(subscriptionId: string): Promise<DialogRecord | undefined> {
    this.assertOpen();
    return this.tables.dialogs.load(subscriptionId, this.clock.now());
  }

  async deleteDialog(subscriptionId: string): Promise<void> {
    this.assertOpen();
    this.tables.dialogs.delete(subscriptionId);
    this.changed();
  }

  // InspectionStore

  async watchersOf(presentity: string, limit: number): Promise<Page<WatcherRecord>> {
    this.assertOpen();
    assertListLimit(limit, 'watchersOf');
    return this.tables.watchers.page(presentity, limit);
  }

  async leaseHolders(partitionCount: number): Promise<(Lease | undefined)[]> {
    this.assertOpen();
    assertListLimit(partitionCount, 'leaseHolders');
    const now = this.clock.now();
    return Array.from({ length: partitionCount }, (_, partition) => this.tables.leases.holder(partition, now));
  }

  async dialogsByCallId(callId: string, limit: number): Promise<DialogRecord[]> {
    this.assertOpen();
    assertListLimit(limit, 'dialogsByCallId');
    return this.tables.dialogs.byCall(callId, limit, this.clock.now());
  }

  // LeaseStore

  async acquireLease(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    this.assertOpen();
    assertPositiveTtl('lease ttlMs', ttlMs);
    return this.tables.leases.acquire(partition, owner, ttlMs, this.clock.now());
  }

  async acquireLeases(partitions: readonly number[], owner: string, ttlMs: number): Promise<Array<Lease | undefined>> {
    this.assertOpen();
    assertPositiveTtl('lease ttlMs', ttlMs);
    const now = this.clock.now();
    return partitions.map((partition) => this.tables.leases.acquire(partition, owner, ttlMs, now));
  }

  async releaseLease(partition: number, owner: string): Promise<void> {
    this.assertOpen();
    this.tables.leases.release(partition, owner);
  }

  // MembershipStore

  async heartbeat(member: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertPositiveTtl('heartbeat ttlMs', ttlMs);
    this.tables.members.heartbeat(member, this.clock.now() + ttlMs);
  }

  async liveMembers(): Promise<string[]> {
    this.assertOpen();
    return this.tables.members.live(this.clock.now());
  }

  async leave(member: string): Promise<void> {
    this.assertOpen();
    this.tables.members.leave(member);
  }

  // UserStore: in the table, and through users.json first with a data directory

  async user(aor: string): Promise<UserRecord | undefined> {
    this.assertOpen();
    return this.tables.users.get(aor);
  }

  async putUser(record: UserRecord): Promise<void> {
    this.assertOpen();
    assertUserRecord(record);
    if (this.users === undefined) this.tables.users.put(record);
    else await this.users.put(record);
  }

  async deleteUser(aor: string): Promise<boolean> {
    this.assertOpen();
    return this.users === undefined ? this.tables.users.delete(aor) : this.users.delete(aor);
  }

  async listUsers(limit: number): Promise<UserRecord[]> {
    this.assertOpen();
    assertListLimit(limit);
    return this.tables.users.list(limit);
  }

  // AuthStateStore

  async nonceKey(): Promise<string> {
    this.assertOpen();
    return this.tables.authState.nonceKey();
  }

  async acceptNonceCount(nonce: string, nc: number, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    assertNonceCount(nc);
    assertPositiveTtl('nonce count ttlMs', ttlMs);
    const now = this.clock.now();
    return this.tables.authState.acceptNonceCount(nonce, nc, now + ttlMs, now);
  }

  async countAuthFailure(key: string, ttlMs: number): Promise<number> {
    this.assertOpen();
    assertPositiveTtl('auth failure ttlMs', ttlMs);
    const now = this.clock.now();
    return this.tables.authState.countFailure(key, now + ttlMs, now);
  }

  async authFailures(key: string): Promise<number> {
    this.assertOpen();
    return this.tables.authState.failuresOf(key, this.clock.now());
  }

  async clearAuthFailures(key: string): Promise<void> {
    this.assertOpen();
    this.tables.authState.clearFailures(key);
  }

  // OfflineMessageStore: in the table, each message also in its own file with a data directory

  async storeOfflineMessage(recipient: string, message: StoredMessage, limits: OfflineQueueLimits): Promise<OfflineStoreOutcome> {
    this.assertOpen();
    assertOfflineLimits(limits);
    const now = this.clock.now();
    const { dropped } = this.tables.offline.live(recipient, now);
    await this.forget(dropped);
    const admitted = this.tables.offline.admit(recipient, message, limits, now);
    if (admitted === undefined) return { stored: false, reason: 'full', expired: dropped.length };
    await this.offlineFiles?.write(recipient, admitted);
    this.tables.offline.append(recipient, admitted);
    return { stored: true, id: admitted.id, expired: dropped.length };
  }

  async offlineMessages(recipient: string, limit: number): Promise<OfflineMessages> {
    this.assertOpen();
    assertListLimit(limit, 'offlineMessages');
    const { messages, expired, dropped } = this.tables.offline.live(recipient, this.clock.now());
    await this.forget(dropped);
    return { messages: messages.slice(0, limit), expired };
  }

  async removeOfflineMessage(recipient: string, id: string): Promise<void> {
    this.assertOpen();
    if (this.tables.offline.remove(recipient, id)) await this.offlineFiles?.remove(id);
  }

  async offlineRecipients(limit: number, after?: string): Promise<string[]> {
    this.assertOpen();
    assertListLimit(limit, 'offlineRecipients');
    return this.tables.offline.recipients(limit, after);
  }

  async acquireDeliveryLock(recipient: string, owner: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    assertPositiveTtl('delivery lock ttlMs', ttlMs);
    return this.tables.offline.acquire(recipient, owner, ttlMs, this.clock.now());
  }

  async releaseDeliveryLock(recipient: string, owner: string): Promise<void> {
    this.assertOpen();
    this.tables.offline.release(recipient, owner);
  }

  private async forget(dropped: readonly { id: string }[]): Promise<void> {
    for (const message of dropped) await this.offlineFiles?.remove(message.id);
  }

  // XcapDocumentStore: durable, so a change is written to the snapshot before it is acknowledged

  async xcapDocument(ref: XcapDocumentRef): Promise<XcapDocument | undefined> {
    this.assertOpen();
    assertXcapRef(ref);
    return this.tables.xcapDocuments.get(ref);
  }

  async putXcapDocument(ref: XcapDocumentRef, body: string, conditions: XcapConditions = {}): Promise<XcapWriteOutcome> {
    this.assertOpen();
    assertXcapRef(ref);
    assertXcapConditions(conditions);
    const outcome = this.tables.xcapDocuments.put(ref, body, conditions);
    if (outcome.ok) await this.changedDurably();
    return outcome;
  }

  async deleteXcapDocument(ref: XcapDocumentRef, conditions: XcapConditions = {}): Promise<XcapDeleteOutcome> {
    this.assertOpen();
    assertXcapRef(ref);
    assertXcapConditions(conditions);
    const outcome = this.tables.xcapDocuments.delete(ref, conditions);
    if (outcome.ok) await this.changedDurably();
    return outcome;
  }

  async listXcapDocuments(scope: XcapDocumentRef['scope'], owner: string, limit: number): Promise<XcapDocumentRef[]> {
    this.assertOpen();
    assertXcapOwner(scope, owner);
    assertListLimit(limit, 'listXcapDocuments');
    return this.tables.xcapDocuments.list(scope, owner, limit);
  }

  async claimXcapServiceUri(uri: string, holder: XcapDocumentRef, claimedAt: number, replacing?: XcapServiceClaim): Promise<XcapClaimOutcome> {
    this.assertOpen();
    assertServiceUri(uri);
    assertXcapRef(holder);
    if (replacing !== undefined) assertXcapRef(replacing.holder);
    const { changed, ...outcome } = this.tables.xcapDocuments.claim(uri, holder, claimedAt, replacing);
    if (changed) await this.changedDurably();
    return outcome;
  }

  async xcapServiceClaim(uri: string): Promise<XcapServiceClaim | undefined> {
    this.assertOpen();
    assertServiceUri(uri);
    return this.tables.xcapDocuments.claimOf(uri);
  }

  async releaseXcapServiceUri(uri: string, holder: XcapDocumentRef): Promise<boolean> {
    this.assertOpen();
    assertServiceUri(uri);
    assertXcapRef(holder);
    const released = this.tables.xcapDocuments.release(uri, holder);
    if (released) await this.changedDurably();
    return released;
  }

  // Lifecycle

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  /** Stops the timers and, with a data directory, writes a last snapshot (rejects if that fails). */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Drops lapsed binding sets and dialogs every interval (unref-ed: it never keeps the process alive). */
  startSweeping(intervalMs: number): void {
    this.sweepTimer = setInterval(() => this.tables.reap(this.clock.now()), intervalMs);
    this.sweepTimer.unref();
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.users?.stop();
    await this.snapshots?.stop();
  }

  private changed(): void {
    this.snapshots?.changed();
  }

  /**
   * A change that must survive a crash once acknowledged: counted and written
   * now (no-op without a data directory). If the write fails the caller gets
   * the error, the change stays in memory and the next snapshot retries it.
   */
  private async changedDurably(): Promise<void> {
    this.snapshots?.changed();
    await this.snapshots?.checkpoint();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}
