import type {
  OfflineMessages,
  OfflineQueueLimits,
  OfflineStoreOutcome,
  StoredMessage,
  Binding,
  Clock,
  CommitOutcome,
  DialogRecord,
  DueExpiry,
  Lease,
  Page,
  PresentityChange,
  PresentityState,
  Store,
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
import { type StoreLogger, silentStoreLogger } from '../store-logger.js';
import { AuthStateRecords } from './auth-state-records.js';
import { BindingRecords } from './binding-records.js';
import { DialogRecords } from './dialog-records.js';
import { ExpiryRecords } from './expiry-records.js';
import { LeaseRecords } from './lease-records.js';
import { MemberRecords } from './member-records.js';
import { OfflineMessageRecords } from './offline-message-records.js';
import { PresentityIndex } from './presentity-index.js';
import { PresentityRecords } from './presentity-records.js';
import { RedisCalls } from './redis-calls.js';
import { turnWrites } from './turn-writes.js';
import { type RedisClient, type RedisClusterAccess, createRedisClient, toStoreError } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { defineScripts } from './redis-scripts.js';
import { assertListLimit } from '../user-record-check.js';
import { UserRecords } from './user-records.js';
import { WatcherRecords } from './watcher-records.js';
import { XcapDocumentRecords } from './xcap-document-records.js';

export interface RedisStoreOptions {
  /** Standalone Redis, e.g. `redis://127.0.0.1:6379` (the default when neither url nor cluster is given). */
  readonly url?: string;
  /** Redis Cluster seed nodes; excludes `url`. */
  readonly cluster?: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** ACL user and password of every cluster node; only with `cluster`. */
  readonly clusterAccess?: RedisClusterAccess;
  /** Prepended to every key (no braces); default `presence:`. Lets deployments and tests share a Redis. */
  readonly keyPrefix?: string;
  /** The only time source: expiry scores, lease and heartbeat times, soft-state lapse. Never Redis TIME. */
  readonly clock: Clock;
  readonly logger?: StoreLogger;
  /** A dialog stays loadable until expiresAt + dialogGraceMs (its key TTL). Default 30 s. */
  readonly dialogGraceMs?: number;
  /** Bound on every command, so an unreachable Redis fails requests instead of hanging them. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** Bound on establishing a connection. Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Retry-After of the StoreUnavailableError raised while Redis is away. Default 5 s. */
  readonly retryAfterSeconds?: number;
}

/** The Redis Store; see createRedisStore. */
export type RedisStore = Store;

/**
 * Connects to Redis (standalone `url` or `cluster` seeds) and returns the
 * Store on it, with exactly the MemoryStore semantics (one contract suite
 * runs against both). Rejects with StoreUnavailableError if Redis cannot be
 * reached now; afterwards every operation made while Redis is away rejects
 * with StoreUnavailableError (503 + Retry-After) within commandTimeoutMs,
 * and the client reconnects by itself.
 *
 * Keys: see RedisKeys. Every multi-key change is one Lua script on one
 * hash slot (src/redis/lua/*.lua). One record class per port keeps each
 * kind of state (PresentityRecords, WatcherRecords, ExpiryRecords,
 * BindingRecords, DialogRecords, LeaseRecords, MemberRecords, UserRecords,
 * AuthStateRecords, XcapDocumentRecords); they share
 * RedisCalls, the one way to a Redis command. This class only composes
 * them and owns the connection.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  return (await openRedisStore(options)).store;
}

/** A RedisStore with its client and keys, for test support that reads what it wrote; the package does not export it. */
export interface OpenedRedisStore {
  readonly store: RedisStore;
  readonly client: RedisClient;
  readonly keys: RedisKeys;
}

export async function openRedisStore(options: RedisStoreOptions): Promise<OpenedRedisStore> {
  const dialogGraceMs = options.dialogGraceMs ?? 30_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  if (!(dialogGraceMs >= 0)) throw new RangeError(`dialogGraceMs must be >= 0, got ${dialogGraceMs}`);
  if (!(commandTimeoutMs > 0)) throw new RangeError(`commandTimeoutMs must be > 0, got ${commandTimeoutMs}`);
  if (!(connectTimeoutMs > 0)) throw new RangeError(`connectTimeoutMs must be > 0, got ${connectTimeoutMs}`);
  if (!(retryAfterSeconds >= 0)) throw new RangeError(`retryAfterSeconds must be >= 0, got ${retryAfterSeconds}`);
  if (options.url !== undefined && options.cluster !== undefined) throw new RangeError('give either url or cluster, not both');
  if (options.cluster !== undefined && options.cluster.length === 0) throw new RangeError('cluster needs at least one seed node');
  if (options.clusterAccess !== undefined && options.cluster === undefined) throw new RangeError('clusterAccess needs cluster (a url carries its own credentials)');
  const keys = new RedisKeys(options.keyPrefix ?? 'presence:');

  const client = createRedisClient({
    url: options.url,
    cluster: options.cluster,
    ...(options.clusterAccess === undefined ? {} : { clusterAccess: options.clusterAccess }),
    commandTimeoutMs,
    connectTimeoutMs,
  });
  const store = new RedisBackedStore(client, keys, options.clock, options.logger ?? silentStoreLogger, dialogGraceMs, retryAfterSeconds);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    // The rejection only says the connection closed; the 'error' event before it says why (ECONNREFUSED...).
    throw toStoreError(store.lastConnectionError ?? error, 'connect', retryAfterSeconds);
  }
  return { store, client, keys };
}

class RedisBackedStore implements RedisStore {
  private readonly calls: RedisCalls;
  private readonly presentities: PresentityRecords;
  private readonly watchers: WatcherRecords;
  private readonly expiries: ExpiryRecords;
  private readonly locations: BindingRecords;
  private readonly dialogs: DialogRecords;
  private readonly leases: LeaseRecords;
  private readonly members: MemberRecords;
  private readonly users: UserRecords;
  private readonly authState: AuthStateRecords;
  private readonly offline: OfflineMessageRecords;
  private readonly xcapDocuments: XcapDocumentRecords;
  private closing: Promise<void> | undefined;
  /** Connection state as last logged, so an outage logs once, not once per reconnect attempt. */
  private up = false;
  private everUp = false;
  /** Last error the client reported, for the message when the first connection fails. */
  lastConnectionError: unknown;

  constructor(
    private readonly client: RedisClient,
    keys: RedisKeys,
    clock: Clock,
    private readonly logger: StoreLogger,
    dialogGraceMs: number,
    retryAfterSeconds: number,
  ) {
    const calls = new RedisCalls(logger, retryAfterSeconds, turnWrites(client));
    const scripts = defineScripts(client);
    this.calls = calls;
    this.presentities = new PresentityRecords(calls, client, keys, scripts, new PresentityIndex(keys, scripts));
    this.watchers = new WatcherRecords(calls, client, keys, scripts);
    this.expiries = new ExpiryRecords(calls, client, keys);
    this.locations = new BindingRecords(calls, client, keys, clock);
    this.dialogs = new DialogRecords(calls, client, keys, scripts, clock, dialogGraceMs);
    this.leases = new LeaseRecords(calls, client, keys, scripts, clock);
    this.members = new MemberRecords(calls, client, keys, scripts, clock);
    this.users = new UserRecords(calls, client, keys);
    this.authState = new AuthStateRecords(calls, client, keys, scripts, clock);
    this.offline = new OfflineMessageRecords(calls, client, keys, scripts, clock);
    this.xcapDocuments = new XcapDocumentRecords(calls, client, keys, scripts);
    client.on('ready', () => {
      if (this.everUp && !this.up) this.logger.warn({}, 'redis store reconnected');
      this.up = true;
      this.everUp = true;
    });
    // An 'error' listener is required: without one the client reports on the console.
    client.on('error', (error: unknown) => {
      this.lastConnectionError = error;
      this.down(error);
    });
    client.on('close', () => this.down(undefined));
  }

  loadPresentity(presentity: string): Promise<PresentityState> {
    return this.presentities.loadPresentity(presentity);
  }

  loadPresentities(presentities: readonly string[]): Promise<PresentityState[]> {
    return this.presentities.loadPresentities(presentities);
  }

  commitPresentity(change: PresentityChange): Promise<CommitOutcome> {
    return this.presentities.commitPresentity(change);
  }

  putWatcher(partition: number, watcher: WatcherRecord): Promise<WatcherRecord | undefined> {
    return this.watchers.putWatcher(partition, watcher);
  }

  putWatcherAndLoad(partition: number, watcher: WatcherRecord): Promise<WatcherPut> {
    return this.watchers.putWatcherAndLoad(partition, watcher);
  }

  removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined> {
    return this.watchers.removeWatcher(partition, presentity, subscriptionId);
  }

  dueExpiries(partition: number, now: number, limit: number): Promise<DueExpiry[]> {
    return this.expiries.dueExpiries(partition, now, limit);
  }

  publishedPresentities(partition: number): Promise<number> {
    return this.expiries.publishedPresentities(partition);
  }

  bindings(aor: string, now: number): Promise<Binding[]> {
    return this.locations.bindings(aor, now);
  }

  replaceBindings(aor: string, next: readonly Binding[]): Promise<void> {
    return this.locations.replaceBindings(aor, next);
  }

  saveDialog(dialog: DialogRecord): Promise<void> {
    return this.dialogs.saveDialog(dialog);
  }

  loadDialog(subscriptionId: string): Promise<DialogRecord | undefined> {
    return this.dialogs.loadDialog(subscriptionId);
  }

  deleteDialog(subscriptionId: string): Promise<void> {
    return this.dialogs.deleteDialog(subscriptionId);
  }

  acquireLease(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    return this.leases.acquireLease(partition, owner, ttlMs);
  }

  acquireLeases(partitions: readonly number[], owner: string, ttlMs: number): Promise<Array<Lease | undefined>> {
    return this.leases.acquireLeases(partitions, owner, ttlMs);
  }

  releaseLease(partition: number, owner: string): Promise<void> {
    return this.leases.releaseLease(partition, owner);
  }

  heartbeat(member: string, ttlMs: number): Promise<void> {
    return this.members.heartbeat(member, ttlMs);
  }

  liveMembers(): Promise<string[]> {
    return this.members.liveMembers();
  }

  leave(member: string): Promise<void> {
    return this.members.leave(member);
  }

  user(aor: string): Promise<UserRecord | undefined> {
    return this.users.user(aor);
  }

  putUser(record: UserRecord): Promise<void> {
    return this.users.putUser(record);
  }

  deleteUser(aor: string): Promise<boolean> {
    return this.users.deleteUser(aor);
  }

  listUsers(limit: number): Promise<UserRecord[]> {
    return this.users.listUsers(limit);
  }

  nonceKey(): Promise<string> {
    return this.authState.nonceKey();
  }

  acceptNonceCount(nonce: string, nc: number, ttlMs: number): Promise<boolean> {
    return this.authState.acceptNonceCount(nonce, nc, ttlMs);
  }

  countAuthFailure(key: string, ttlMs: number): Promise<number> {
    return this.authState.countAuthFailure(key, ttlMs);
  }

  authFailures(key: string): Promise<number> {
    return this.authState.authFailures(key);
  }

  clearAuthFailures(key: string): Promise<void> {
    return this.authState.clearAuthFailures(key);
  }

  storeOfflineMessage(recipient: string, message: StoredMessage, limits: OfflineQueueLimits): Promise<OfflineStoreOutcome> {
    return this.offline.storeOfflineMessage(recipient, message, limits);
  }

  offlineMessages(recipient: string, limit: number): Promise<OfflineMessages> {
    return this.offline.offlineMessages(recipient, limit);
  }

  removeOfflineMessage(recipient: string, id: string): Promise<void> {
    return this.offline.removeOfflineMessage(recipient, id);
  }

  offlineRecipients(limit: number, after?: string): Promise<string[]> {
    return this.offline.offlineRecipients(limit, after);
  }

  acquireDeliveryLock(recipient: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.offline.acquireDeliveryLock(recipient, owner, ttlMs);
  }

  releaseDeliveryLock(recipient: string, owner: string): Promise<void> {
    return this.offline.releaseDeliveryLock(recipient, owner);
  }

  xcapDocument(ref: XcapDocumentRef): Promise<XcapDocument | undefined> {
    return this.xcapDocuments.xcapDocument(ref);
  }

  putXcapDocument(ref: XcapDocumentRef, body: string, conditions?: XcapConditions): Promise<XcapWriteOutcome> {
    return this.xcapDocuments.putXcapDocument(ref, body, conditions);
  }

  deleteXcapDocument(ref: XcapDocumentRef, conditions?: XcapConditions): Promise<XcapDeleteOutcome> {
    return this.xcapDocuments.deleteXcapDocument(ref, conditions);
  }

  listXcapDocuments(scope: XcapDocumentRef['scope'], owner: string, limit: number): Promise<XcapDocumentRef[]> {
    return this.xcapDocuments.listXcapDocuments(scope, owner, limit);
  }

  claimXcapServiceUri(uri: string, holder: XcapDocumentRef, claimedAt: number, replacing?: XcapServiceClaim): Promise<XcapClaimOutcome> {
    return this.xcapDocuments.claimXcapServiceUri(uri, holder, claimedAt, replacing);
  }

  xcapServiceClaim(uri: string): Promise<XcapServiceClaim | undefined> {
    return this.xcapDocuments.xcapServiceClaim(uri);
  }

  releaseXcapServiceUri(uri: string, holder: XcapDocumentRef): Promise<boolean> {
    return this.xcapDocuments.releaseXcapServiceUri(uri, holder);
  }

  async watchersOf(presentity: string, limit: number): Promise<Page<WatcherRecord>> {
    assertListLimit(limit, 'watchersOf');
    return this.watchers.watchersOf(presentity, limit);
  }

  async leaseHolders(partitionCount: number): Promise<(Lease | undefined)[]> {
    assertListLimit(partitionCount, 'leaseHolders');
    return this.leases.leaseHolders(partitionCount);
  }

  async dialogsByCallId(callId: string, limit: number): Promise<DialogRecord[]> {
    assertListLimit(limit, 'dialogsByCallId');
    return this.dialogs.dialogsByCallId(callId, limit);
  }

  /** True when Redis answers PING within the command timeout; false (never throws) when it is down or the store closed. */
  async ping(): Promise<boolean> {
    if (this.calls.isClosed) return false;
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Quits cleanly (bounded by the command timeout), or drops the connection if Redis is not answering. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.calls.close();
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  private down(error: unknown): void {
    if (!this.up || this.calls.isClosed) return;
    this.up = false;
    this.logger.warn(error === undefined ? {} : { err: error }, 'redis store lost its connection; reconnecting');
  }
}
