import type {
  Binding,
  Clock,
  CommitOutcome,
  DialogRecord,
  DueExpiry,
  Lease,
  PresentityChange,
  PresentityState,
  Publication,
  Store,
  WatcherRecord,
} from '@presence/core';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { decodeExpiryMember, watcherMember } from '../expiry-member.js';
import { type StoreLogger, silentStoreLogger } from '../store-logger.js';
import { assertPositiveTtl } from '../ttl-check.js';
import { PresentityIndex } from './presentity-index.js';
import {
  decodeBindings,
  decodeDialog,
  decodePublications,
  decodeWatcher,
  encodeBindings,
  encodeDialog,
  encodePublications,
  encodeWatcher,
} from './redis-codec.js';
import { type RedisClient, createRedisClient, toStoreError } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { type RedisScripts, defineScripts } from './redis-scripts.js';

export interface RedisStoreOptions {
  /** Standalone Redis, e.g. `redis://127.0.0.1:6379` (the default when neither url nor cluster is given). */
  readonly url?: string;
  /** Redis Cluster seed nodes; excludes `url`. */
  readonly cluster?: ReadonlyArray<{ readonly host: string; readonly port: number }>;
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
export interface RedisStore extends Store {
  readonly keyPrefix: string;
}

/** Members whose heartbeat lapsed this long ago are pruned from the set (readers filter by their own clock anyway). */
const MEMBER_PRUNE_AFTER_MS = 60_000;

/**
 * Connects to Redis (standalone `url` or `cluster` seeds) and returns the
 * Store on it, with exactly the MemoryStore semantics (one contract suite
 * runs against both). Rejects with StoreUnavailableError if Redis cannot be
 * reached now; afterwards every operation made while Redis is away rejects
 * with StoreUnavailableError (503 + Retry-After) within commandTimeoutMs,
 * and the client reconnects by itself.
 *
 * - Keys: see RedisKeys. Every multi-key change is one Lua script on one
 *   hash slot (src/redis/lua/*.lua).
 * - Presentities: compare-and-set commit script; the partition expiry index
 *   (another slot) is kept by PresentityIndex, whose comment gives the
 *   ordering that keeps it safe without cross-slot atomicity.
 * - Watchers: the index entry is written before the record and removed
 *   after it, so a crash in between leaves an entry for nothing (the sweep's
 *   removeWatcher finds nothing), never a record the sweep cannot see.
 * - Bindings and dialogs: soft state with a key TTL computed from the
 *   injected clock (relative PX, so Redis's own clock does not matter);
 *   reads also judge lapse by the clock, as MemoryStore does.
 * - Leases and members: judged by the injected clock; lease keys have no
 *   TTL so an epoch never repeats.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
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
  const keys = new RedisKeys(options.keyPrefix ?? 'presence:');

  const client = createRedisClient({ url: options.url, cluster: options.cluster, commandTimeoutMs, connectTimeoutMs });
  const store = new RedisBackedStore(client, keys, options.clock, options.logger ?? silentStoreLogger, dialogGraceMs, retryAfterSeconds);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    // The rejection only says the connection closed; the 'error' event before it says why (ECONNREFUSED...).
    throw toStoreError(store.lastConnectionError ?? error, 'connect', retryAfterSeconds);
  }
  return store;
}

class RedisBackedStore implements RedisStore {
  private readonly scripts: RedisScripts;
  private readonly index: PresentityIndex;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly followUps = new Set<Promise<void>>();
  /** Connection state as last logged, so an outage logs once, not once per reconnect attempt. */
  private up = false;
  private everUp = false;
  /** Last error the client reported, for the message when the first connection fails. */
  lastConnectionError: unknown;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    private readonly logger: StoreLogger,
    private readonly dialogGraceMs: number,
    private readonly retryAfterSeconds: number,
  ) {
    this.scripts = defineScripts(client);
    this.index = new PresentityIndex(keys, this.scripts);
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

  get keyPrefix(): string {
    return this.keys.prefix;
  }

  // PresentityStore

  async loadPresentity(presentity: string): Promise<PresentityState> {
    return this.readPresentity(presentity);
  }

  async loadPresentities(presentities: readonly string[]): Promise<PresentityState[]> {
    // Sent together without waiting (pipelined on each connection; per node in a cluster).
    return Promise.all(presentities.map((presentity) => this.readPresentity(presentity)));
  }

  async commitPresentity(change: PresentityChange): Promise<CommitOutcome> {
    const { presentity, partition } = change;
    const earliest = earliestExpiry(change.publications);
    const nextRevision = change.expectedRevision + 1;
    if (earliest !== undefined) {
      await this.call('commitPresentity', () => this.index.lower(partition, presentity, earliest, nextRevision));
    }
    const reply = (await this.call('commitPresentity', () =>
      this.scripts['commit-presentity'](
        [this.keys.presentity(presentity)],
        [change.expectedRevision, change.documentChanged ? '1' : '0', partition, change.document, encodePublications(change.publications)],
      ),
    )) as [number, number, number, string, string?, string?];

    if (reply[0] === 1) {
      const [, revision, version, previousPartition] = reply;
      // The settle is sent now, so it precedes any later command of this client on the index's node, but the
      // commit is done without waiting for it: a change is announced one round trip sooner (see PresentityIndex).
      this.inBackground(this.bestEffort('commitPresentity settle', () => this.index.settle(partition, presentity, revision, earliest)));
      if (previousPartition !== '' && Number(previousPartition) !== partition) {
        this.inBackground(this.bestEffort('commitPresentity move', () => this.index.settle(Number(previousPartition), presentity, revision, undefined)));
      }
      const publications = change.publications.map((publication) => ({ ...publication }));
      return { ok: true, state: { presentity, revision, version, publications, document: change.document } };
    }

    const [, revision, version, storedPartition, document = '', pubs = '[]'] = reply;
    const current: PresentityState = { presentity, revision, version, publications: decodePublications(this.keys.presentity(presentity), pubs), document };
    if (earliest !== undefined && (storedPartition === '' || Number(storedPartition) === partition)) {
      // Undo what step 1 may have lowered: the index ends as it was (see PresentityIndex).
      await this.bestEffort('commitPresentity restore', () => this.index.settle(partition, presentity, revision, earliestExpiry(current.publications)));
    }
    return { ok: false, current };
  }

  // WatcherStore

  async putWatcher(partition: number, watcher: WatcherRecord): Promise<void> {
    const member = watcherMember(watcher.presentity, watcher.subscriptionId);
    const key = this.keys.watchers(watcher.presentity);
    await this.call('putWatcher', () => this.client.zadd(this.keys.expiry(partition), watcher.expiresAt, member));
    const previous = (await this.call('putWatcher', () =>
      this.scripts['hash-swap']([key], [watcher.subscriptionId, encodeWatcher(partition, watcher)]),
    )) as string | null;
    if (previous === null) return;
    const previousPartition = decodeWatcher(key, watcher.presentity, watcher.subscriptionId, previous).partition;
    if (previousPartition !== partition) {
      await this.bestEffort('putWatcher move', () => this.client.zrem(this.keys.expiry(previousPartition), member));
    }
  }

  async removeWatcher(partition: number, presentity: string, subscriptionId: string): Promise<WatcherRecord | undefined> {
    const member = watcherMember(presentity, subscriptionId);
    const key = this.keys.watchers(presentity);
    const taken = (await this.call('removeWatcher', () => this.scripts['hash-take']([key], [subscriptionId]))) as string | null;
    if (taken === null) {
      await this.call('removeWatcher', () => this.client.zrem(this.keys.expiry(partition), member));
      return undefined;
    }
    const entry = decodeWatcher(key, presentity, subscriptionId, taken);
    // The record is gone: a leftover index entry is harmless (it finds nothing), so these are best effort.
    await this.bestEffort('removeWatcher', () => this.client.zrem(this.keys.expiry(partition), member));
    if (entry.partition !== partition) {
      await this.bestEffort('removeWatcher', () => this.client.zrem(this.keys.expiry(entry.partition), member));
    }
    return entry.record;
  }

  async listWatchers(presentity: string): Promise<WatcherRecord[]> {
    const key = this.keys.watchers(presentity);
    const all = await this.call('listWatchers', () => this.client.hgetall(key));
    return Object.entries(all).map(([subscriptionId, text]) => decodeWatcher(key, presentity, subscriptionId, text).record);
  }

  // ExpiryIndex

  async dueExpiries(partition: number, now: number, limit: number): Promise<DueExpiry[]> {
    this.assertOpen();
    const count = Math.floor(limit);
    if (!(count > 0)) return [];
    const reply = await this.call('dueExpiries', () =>
      this.client.zrangebyscore(this.keys.expiry(partition), '-inf', scoreBound(now), 'WITHSCORES', 'LIMIT', 0, Number.isFinite(count) ? count : -1),
    );
    const due: DueExpiry[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const entry = decodeExpiryMember(reply[i] as string, Number(reply[i + 1]));
      if (entry !== undefined) due.push(entry);
    }
    return due;
  }

  async nextExpiry(partition: number): Promise<number | undefined> {
    const reply = await this.call('nextExpiry', () => this.client.zrange(this.keys.expiry(partition), 0, 0, 'WITHSCORES'));
    return reply.length >= 2 ? Number(reply[1]) : undefined;
  }

  // LocationStore

  async bindings(aor: string, now: number): Promise<Binding[]> {
    const key = this.keys.bindings(aor);
    const text = await this.call('bindings', () => this.client.get(key));
    if (text === null) return [];
    const bindings = decodeBindings(key, text);
    // The whole set lapses with its latest binding, by our clock (the key TTL is only its garbage collection).
    if (latestExpiry(bindings) <= this.clock.now()) return [];
    return bindings.filter((binding) => binding.expiresAt > now);
  }

  async replaceBindings(aor: string, next: readonly Binding[]): Promise<void> {
    const key = this.keys.bindings(aor);
    const lapse = latestExpiry(next);
    const now = this.clock.now();
    if (lapse <= now) {
      await this.call('replaceBindings', () => this.client.del(key));
      return;
    }
    await this.call('replaceBindings', () => this.client.set(key, encodeBindings(next), 'PX', ttlFrom(lapse, now)));
  }

  // DialogStore

  async saveDialog(dialog: DialogRecord): Promise<void> {
    const key = this.keys.dialog(dialog.subscriptionId);
    const lapse = dialog.expiresAt + this.dialogGraceMs;
    const now = this.clock.now();
    if (lapse <= now) {
      await this.call('saveDialog', () => this.client.del(key));
      return;
    }
    await this.call('saveDialog', () => this.client.set(key, encodeDialog(dialog), 'PX', ttlFrom(lapse, now)));
  }

  async loadDialog(subscriptionId: string): Promise<DialogRecord | undefined> {
    const key = this.keys.dialog(subscriptionId);
    const text = await this.call('loadDialog', () => this.client.get(key));
    if (text === null) return undefined;
    const dialog = decodeDialog(key, subscriptionId, text);
    return dialog.expiresAt + this.dialogGraceMs <= this.clock.now() ? undefined : dialog;
  }

  async deleteDialog(subscriptionId: string): Promise<void> {
    await this.call('deleteDialog', () => this.client.del(this.keys.dialog(subscriptionId)));
  }

  // LeaseStore

  async acquireLease(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    this.assertOpen();
    assertPositiveTtl('lease ttlMs', ttlMs);
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    const [held, epoch] = (await this.call('acquireLease', () =>
      this.scripts['lease-acquire']([this.keys.lease(partition)], [owner, now, expiresAt]),
    )) as [number, number];
    return held === 1 ? { partition, owner, epoch, expiresAt } : undefined;
  }

  async releaseLease(partition: number, owner: string): Promise<void> {
    await this.call('releaseLease', () => this.scripts['lease-release']([this.keys.lease(partition)], [owner]));
  }

  async leaseHolder(partition: number): Promise<Lease | undefined> {
    const [owner, epoch, expiresAt] = await this.call('leaseHolder', () => this.client.hmget(this.keys.lease(partition), 'owner', 'epoch', 'expiresAt'));
    if (typeof owner !== 'string' || typeof epoch !== 'string' || typeof expiresAt !== 'string') return undefined;
    const lease = { partition, owner, epoch: Number(epoch), expiresAt: Number(expiresAt) };
    return lease.expiresAt > this.clock.now() ? lease : undefined;
  }

  // MembershipStore

  async heartbeat(member: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertPositiveTtl('heartbeat ttlMs', ttlMs);
    const now = this.clock.now();
    await this.call('heartbeat', () => this.scripts['member-heartbeat']([this.keys.members()], [member, now + ttlMs, now - MEMBER_PRUNE_AFTER_MS]));
  }

  async liveMembers(): Promise<string[]> {
    const now = this.clock.now();
    const members = await this.call('liveMembers', () => this.client.zrangebyscore(this.keys.members(), `(${scoreBound(now)}`, '+inf'));
    return members.sort();
  }

  async leave(member: string): Promise<void> {
    await this.call('leave', () => this.client.zrem(this.keys.members(), member));
  }

  // Lifecycle

  /** True when Redis answers PING within the command timeout; false (never throws) when it is down or the store closed. */
  async ping(): Promise<boolean> {
    if (this.closed) return false;
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
    this.closed = true;
    await Promise.all(this.followUps);
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

  private async readPresentity(presentity: string): Promise<PresentityState> {
    const key = this.keys.presentity(presentity);
    const [revision, version, document, pubs] = await this.call('loadPresentity', () => this.client.hmget(key, 'rev', 'ver', 'doc', 'pubs'));
    return {
      presentity,
      revision: typeof revision === 'string' ? Number(revision) : 0,
      version: typeof version === 'string' ? Number(version) : 0,
      publications: typeof pubs === 'string' ? decodePublications(key, pubs) : [],
      document: document ?? '',
    };
  }

  /** Runs one Redis call; client failures become StoreUnavailableError (see toStoreError). */
  private async call<T>(operation: string, command: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await command();
    } catch (error) {
      throw toStoreError(error, operation, this.retryAfterSeconds);
    }
  }

  /** A follow-up whose failure leaves only harmless state (an early or orphan index entry): logged, not thrown. */
  /** Follow-up writes nobody waits for; close() lets them finish. bestEffort never rejects. */
  private inBackground(work: Promise<void>): void {
    this.followUps.add(work);
    void work.then(() => this.followUps.delete(work));
  }

  private async bestEffort(operation: string, command: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(operation, command);
    } catch (error) {
      this.logger.warn({ err: error, operation }, 'redis store follow-up write failed; the expiry sweep repairs it');
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private down(error: unknown): void {
    if (!this.up || this.closed) return;
    this.up = false;
    this.logger.warn(error === undefined ? {} : { err: error }, 'redis store lost its connection; reconnecting');
  }
}

/** Earliest publication expiry; undefined when there is none. */
function earliestExpiry(publications: readonly Publication[]): number | undefined {
  let earliest: number | undefined;
  for (const publication of publications) if (earliest === undefined || publication.expiresAt < earliest) earliest = publication.expiresAt;
  return earliest;
}

function latestExpiry(bindings: readonly Binding[]): number {
  let latest = -Infinity;
  for (const binding of bindings) if (binding.expiresAt > latest) latest = binding.expiresAt;
  return latest;
}

/** Key TTL in whole ms (at least 1) from our clock's now to `lapse`: relative, so Redis's clock never matters. */
function ttlFrom(lapse: number, now: number): number {
  return Math.max(1, Math.ceil(lapse - now));
}

function scoreBound(value: number): string {
  if (value === Infinity) return '+inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}
