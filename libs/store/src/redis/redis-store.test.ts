import { randomBytes } from 'node:crypto';
import type { Clock, PresentityChange, Publication, WatcherRecord } from '@presence/core';
import {
  binaryGate,
  eventually,
  freePort,
  requireOrSkip,
  startRedisCluster,
  startRedisServer,
  type RedisClusterProcess,
  type RedisServerProcess,
} from '@presence/testkit';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import { presentityMember } from '../expiry-member.js';
import { storeContract } from '../store.contract.js';
import { openRedisStoreForTest } from '../test-support/redis-store-for-test.js';
import { CorruptRecordError } from './corrupt-record-error.js';
import { callIdIndexEntry } from './dialog-records.js';
import { LUA_SOURCES } from './lua-sources.js';
import { PresentityIndex } from './presentity-index.js';
import { RedisKeys } from './redis-keys.js';
import { defineScripts } from './redis-scripts.js';
import { type RedisStore, createRedisStore } from './redis-store.js';

const runRedis = requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'Redis tier');

const SECOND = 1_000;
const uniquePrefix = (): string => `test:${randomBytes(4).toString('hex')}:`;

class TestClock implements Clock {
  time = Date.now();
  now(): number {
    return this.time;
  }
}

const publication = (etag: string, expiresAt: number): Publication => ({
  etag,
  expiresAt,
  publishedAt: expiresAt - 60 * SECOND,
  contentType: 'application/pidf+xml',
  body: `<presence entity="${etag}"/>`,
});

const change = (presentity: string, expectedRevision: number, publications: Publication[], partition = 7): PresentityChange => ({
  presentity,
  partition,
  expectedRevision,
  publications,
  document: publications.map((p) => p.body).join(''),
  documentChanged: true,
});

const watcher = (presentity: string, subscriptionId: string, expiresAt: number): WatcherRecord => ({
  presentity,
  subscriptionId,
  watcher: 'sip:bob@example.com',
  event: 'presence',
  status: 'active',
  edgeId: 'edge-1',
  expiresAt,
});

describe.runIf(runRedis)('RedisStore on a standalone redis-server', () => {
  let server: RedisServerProcess;
  /** Servers of single tests, stopped again in afterAll in case a test did not get to it. */
  const ownServers: RedisServerProcess[] = [];
  const startOwnServer = async (): Promise<RedisServerProcess> => {
    const own = await startRedisServer();
    ownServers.push(own);
    return own;
  };
  const opened: RedisStore[] = [];
  const open = async (options: { clock?: Clock; keyPrefix?: string; url?: string } = {}): Promise<RedisStore> => {
    const store = await createRedisStore({ url: options.url ?? server.url, clock: options.clock ?? new TestClock(), keyPrefix: options.keyPrefix ?? uniquePrefix() });
    opened.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  }, 20_000);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), ...ownServers.map((own) => own.stop())]);
  });

  storeContract('RedisStore', async (clock) => {
    const { store, inspect } = await openRedisStoreForTest({ url: server.url, clock, keyPrefix: uniquePrefix() });
    // A new data set, as seen by the store: the same server, keys no store wrote yet.
    const others: RedisStore[] = [];
    const openNewDataSet = async () => {
      const other = (await openRedisStoreForTest({ url: server.url, clock, keyPrefix: uniquePrefix() })).store;
      others.push(other);
      return other;
    };
    return { store, inspect, openNewDataSet, cleanup: async () => void (await Promise.all([store, ...others].map((s) => s.close()))) };
  });

  describe('RedisStore specifics', () => {
    it('lua - many commits racing on one revision over many connections: exactly one wins each round', async () => {
      const keyPrefix = uniquePrefix();
      const first = await openRedisStoreForTest({ url: server.url, clock: new TestClock(), keyPrefix });
      opened.push(first.store);
      const stores = [first.store, ...(await Promise.all(Array.from({ length: 4 }, () => open({ keyPrefix }))))];
      const p = 'sip:race@example.com';
      const t = Date.now();
      for (let round = 0; round < 3; round++) {
        const outcomes = await Promise.all(
          stores.flatMap((store, s) => Array.from({ length: 20 }, (_, i) => store.commitPresentity(change(p, round, [publication(`e${round}-${s}-${i}`, t + (s * 20 + i + 1) * SECOND)])))),
        );
        const winners = outcomes.filter((outcome) => outcome.ok);
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) if (!outcome.ok) expect(outcome.current.revision).toBe(round + 1);
        const state = await stores[0]!.loadPresentity(p);
        expect([state.revision, state.version]).toEqual([round + 1, round + 1]);
        // The index ends at the winner's earliest expiry, whatever the losers lowered meanwhile.
        expect(await first.inspect.nextExpiry(7)).toBe(state.publications[0]?.expiresAt);
      }
    });

    it('outage - a killed Redis fails operations fast with a 503 StoreUnavailableError, ping is false, and the store recovers after restart', async () => {
      const own = await startOwnServer();
      try {
        const store = await open({ url: own.url });
        const p = 'sip:outage@example.com';
        expect((await store.commitPresentity(change(p, 0, [publication('e1', Date.now() + 60 * SECOND)]))).ok).toBe(true);
        await own.kill();

        const started = Date.now();
        const error = await store.loadPresentity(p).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error).toMatchObject({ status: 503, temporary: true, retryAfterSeconds: 5 });
        expect((error as StoreUnavailableError).headers()).toEqual({ 'retry-after': '5' });
        await expect(store.commitPresentity(change(p, 1, []))).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.saveDialog({ ...dialogRecord('d1'), expiresAt: Date.now() + 60 * SECOND })).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(await store.ping()).toBe(false);
        expect(Date.now() - started).toBeLessThan(1_500);

        await own.restart();
        await eventually(async () => expect(await store.ping()).toBe(true), { timeoutMs: 10_000, intervalMs: 50 });
        // No persistence in the test server: the presentity starts over, and the store works again.
        expect((await store.loadPresentity(p)).revision).toBe(0);
        expect((await store.commitPresentity(change(p, 0, [publication('e2', Date.now() + 60 * SECOND)]))).ok).toBe(true);
      } finally {
        await own.stop();
      }
    }, 30_000);

    it('outage - a Redis that stops answering (hung, partitioned) fails operations within the command timeout', async () => {
      const own = await startOwnServer();
      try {
        const store = await open({ url: own.url });
        await store.heartbeat('worker-a', 10 * SECOND);
        own.pause();
        const started = Date.now();
        await expect(store.liveMembers()).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(await store.ping()).toBe(false);
        expect(Date.now() - started).toBeLessThan(3_000);
        own.resume();
        await eventually(async () => expect(await store.liveMembers()).toEqual(['worker-a']), { timeoutMs: 10_000, intervalMs: 50 });
      } finally {
        own.resume();
        await own.stop();
      }
    }, 30_000);

    it('connect - an unreachable Redis rejects createRedisStore with StoreUnavailableError, quickly', async () => {
      const port = await freePort('tcp');
      const started = Date.now();
      await expect(createRedisStore({ url: `redis://127.0.0.1:${port}`, clock: new TestClock() })).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('close - quits; operations afterwards throw StoreClosedError and ping is false; closing twice is fine', async () => {
      const store = await createRedisStore({ url: server.url, clock: new TestClock(), keyPrefix: uniquePrefix() });
      await store.close();
      await expect(store.loadPresentity('sip:a@example.com')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.acquireLease(1, 'w', 1_000)).rejects.toBeInstanceOf(StoreClosedError);
      expect(await store.ping()).toBe(false);
      await expect(store.close()).resolves.toBeUndefined();
    });

    it('options - a key prefix with braces, both url and cluster, or bad times are refused', async () => {
      const clock = new TestClock();
      await expect(createRedisStore({ url: server.url, clock, keyPrefix: 'a{b}:' })).rejects.toBeInstanceOf(RangeError);
      await expect(createRedisStore({ url: server.url, cluster: [{ host: '127.0.0.1', port: server.port }], clock })).rejects.toBeInstanceOf(RangeError);
      await expect(createRedisStore({ url: server.url, clock, dialogGraceMs: -1 })).rejects.toBeInstanceOf(RangeError);
      await expect(createRedisStore({ url: server.url, clock, commandTimeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
    });

    it('keys - the layout: one prefix, presentity keys tagged by AOR, partition keys by {p:n}', async () => {
      const keyPrefix = uniquePrefix();
      const clock = new TestClock();
      const store = await open({ keyPrefix, clock });
      const aor = 'sip:alice@example.com';
      await store.commitPresentity(change(aor, 0, [publication('e1', clock.now() + 60 * SECOND)]));
      await store.putWatcher(7, watcher(aor, 'sub-1', clock.now() + 60 * SECOND));
      await store.replaceBindings(aor, [{ contact: '<sip:a@192.0.2.1>', contactKey: 'sip:a@192.0.2.1', expiresAt: clock.now() + 60 * SECOND, callId: 'c', cseq: 1, edgeId: 'e' }]);
      const dialog = { ...dialogRecord('sub-1'), expiresAt: clock.now() + 60 * SECOND };
      await store.saveDialog(dialog);
      await store.acquireLease(7, 'worker-a', 10 * SECOND);
      await store.heartbeat('worker-a', 10 * SECOND);
      const raw = new Redis(server.url);
      try {
        const keys = (await raw.keys(`${keyPrefix}*`)).sort();
        expect(keys).toEqual(
          [
            `${keyPrefix}dlg:{sub-1}`,
            `${keyPrefix}dlgcalls:{${callIdIndexEntry(dialog.callId).bucket}}`,
            `${keyPrefix}exp:{p:7}`,
            `${keyPrefix}exp:{p:7}:rev`,
            `${keyPrefix}lease:{p:7}`,
            `${keyPrefix}loc:{${aor}}`,
            `${keyPrefix}members`,
            `${keyPrefix}pres:{${aor}}:doc`,
            `${keyPrefix}pres:{${aor}}:watchers`,
          ].sort(),
        );
        // Soft state carries a TTL; durable state does not.
        expect(await raw.pttl(`${keyPrefix}dlg:{sub-1}`)).toBeGreaterThan(80 * SECOND);
        expect(await raw.pttl(`${keyPrefix}dlgcalls:{${callIdIndexEntry(dialog.callId).bucket}}`)).toBeGreaterThan(80 * SECOND);
        expect(await raw.pttl(`${keyPrefix}loc:{${aor}}`)).toBeGreaterThan(50 * SECOND);
        expect(await raw.pttl(`${keyPrefix}pres:{${aor}}:doc`)).toBe(-1);
        expect(await raw.pttl(`${keyPrefix}lease:{p:7}`)).toBe(-1);
      } finally {
        raw.disconnect();
      }
    });

    it('memory - a typical dialog, watcher and binding record are compact (printed, not asserted)', async () => {
      const keyPrefix = uniquePrefix();
      const clock = new TestClock();
      const store = await open({ keyPrefix, clock });
      const keys = new RedisKeys(keyPrefix);
      const aor = 'sip:alice@example.com';
      const subscriptionId = randomBytes(16).toString('hex');
      await store.saveDialog({ ...dialogRecord(subscriptionId), expiresAt: clock.now() + 3_600 * SECOND });
      await store.putWatcher(7, watcher(aor, subscriptionId, clock.now() + 3_600 * SECOND));
      await store.replaceBindings(aor, [
        { contact: '<sip:alice@192.0.2.1:5060;transport=tcp>', contactKey: 'sip:alice@192.0.2.1:5060;transport=tcp', expiresAt: clock.now() + 3_600 * SECOND, callId: randomBytes(12).toString('hex'), cseq: 1, edgeId: 'edge-1', flow: 'tcp:198.51.100.7:51234' },
      ]);
      const raw = new Redis(server.url);
      try {
        const dialogBytes = await raw.memory('USAGE', keys.dialog(subscriptionId));
        const watchersBytes = await raw.memory('USAGE', keys.watchers(aor));
        const bindingBytes = await raw.memory('USAGE', keys.bindings(aor));
        const dialogValue = (await raw.get(keys.dialog(subscriptionId))) ?? '';
        process.stdout.write(
          `\n[redis memory] dialog key ${dialogBytes} B (value ${Buffer.byteLength(dialogValue)} B); watcher hash with 1 watcher ${watchersBytes} B; binding set with 1 binding ${bindingBytes} B\n`,
        );
        expect(dialogBytes).toBeGreaterThan(0);
      } finally {
        raw.disconnect();
      }
    });

    it('memory - the Call-ID index and a presentity\'s watchers stay listpacks; a save drops the lapsed entries it samples', async () => {
      const keyPrefix = uniquePrefix();
      const clock = new TestClock();
      const store = await open({ keyPrefix, clock });
      const keys = new RedisKeys(keyPrefix);
      const lapsing = { ...dialogRecord('sub-lapsing'), expiresAt: clock.now() + 10 * SECOND };
      const { bucket, tag } = callIdIndexEntry(lapsing.callId);
      let neighbourCallId = '';
      for (let n = 0; callIdIndexEntry(neighbourCallId).bucket !== bucket || neighbourCallId === lapsing.callId; n += 1) neighbourCallId = `neighbour-${n}@192.0.2.2`;
      const aor = 'sip:alice@example.com';
      await store.saveDialog(lapsing);
      for (let i = 0; i < 20; i += 1) await store.putWatcher(7, watcher(aor, randomBytes(18).toString('base64url'), clock.now() + 3_600 * SECOND));
      clock.time += 10 * SECOND + 60 * SECOND;
      const live = { ...dialogRecord('sub-live'), callId: neighbourCallId, expiresAt: clock.now() + 3_600 * SECOND };
      await store.saveDialog(live);
      const raw = new Redis(server.url);
      try {
        // Two entries, both sampled: the lapsed one is gone, whatever the draw.
        expect(await raw.hkeys(keys.dialogIndex(bucket))).toEqual([callIdIndexEntry(neighbourCallId).tag + 'sub-live']);
        expect(tag).toHaveLength(8);
        expect(await store.dialogsByCallId(neighbourCallId, 10)).toEqual([live]);
        expect(['listpack', 'ziplist']).toContain(await raw.object('ENCODING', keys.dialogIndex(bucket)));
        expect(['listpack', 'ziplist']).toContain(await raw.object('ENCODING', keys.watchers(aor)));
      } finally {
        raw.disconnect();
      }
    });

    it('errors - a value this code did not write is a CorruptRecordError (500), not a 503', async () => {
      const keyPrefix = uniquePrefix();
      const store = await open({ keyPrefix });
      const raw = new Redis(server.url);
      try {
        await raw.set(new RedisKeys(keyPrefix).dialog('bad'), '{"not":"an array"}');
        await raw.set(new RedisKeys(keyPrefix).bindings('sip:bad@example.com'), 'not json');
        await expect(store.loadDialog('bad')).rejects.toBeInstanceOf(CorruptRecordError);
        await expect(store.bindings('sip:bad@example.com', Date.now())).rejects.toBeInstanceOf(CorruptRecordError);
        // A wrong-type reply is a bug, passed on unchanged rather than dressed up as an outage.
        await raw.set(new RedisKeys(keyPrefix).presentity('sip:str@example.com'), 'a string, not a hash');
        const error = await store.loadPresentity('sip:str@example.com').catch((e: unknown) => e);
        expect(error).not.toBeInstanceOf(StoreUnavailableError);
        expect(String(error)).toContain('WRONGTYPE');
      } finally {
        raw.disconnect();
      }
    });

    it('offline messages - a list entry written before bodies were bytes (body as text, no bodyEncoding) still reads', async () => {
      const keyPrefix = uniquePrefix();
      const store = await open({ keyPrefix });
      const raw = new Redis(server.url);
      try {
        const old = { id: '0000000000000001', from: '<sip:a@example.com>;tag=1', to: '<sip:bob@example.com>', callId: 'c1', cseq: 1, date: 'Sun, 29 Nov 2026 22:00:00 GMT', contentType: 'text/plain', body: 'hé ✓', storedAt: Date.now(), expiresAt: Date.now() + 60 * SECOND };
        await raw.rpush(new RedisKeys(keyPrefix).offlineQueue('sip:bob@example.com'), JSON.stringify(old));
        const [message] = (await store.offlineMessages('sip:bob@example.com', 10)).messages;
        expect(Buffer.from(message!.body).toString('utf8')).toBe('hé ✓');
      } finally {
        raw.disconnect();
      }
    });

    it('auth - the nonce key is shared: stores on one Redis racing for it all get the same key, and it outlives them', async () => {
      const keyPrefix = uniquePrefix();
      const stores = await Promise.all(Array.from({ length: 4 }, () => open({ keyPrefix })));
      const keys = await Promise.all(stores.map((store) => store.nonceKey()));
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
      await Promise.all(stores.map((store) => store.close()));
      expect(await (await open({ keyPrefix })).nonceKey()).toBe(keys[0]);
      expect(await (await open()).nonceKey()).not.toBe(keys[0]);
    });

    it('auth - a nonce count used through one store is a replay through another', async () => {
      const keyPrefix = uniquePrefix();
      const [a, b] = [await open({ keyPrefix }), await open({ keyPrefix })];
      expect(await a.acceptNonceCount('n', 1, 30 * SECOND)).toBe(true);
      expect(await b.acceptNonceCount('n', 1, 30 * SECOND)).toBe(false);
      expect(await b.countAuthFailure('ip:192.0.2.1', 30 * SECOND)).toBe(1);
      expect(await a.countAuthFailure('ip:192.0.2.1', 30 * SECOND)).toBe(2);
    });

    it('keys - users and auth state: user:{aor}, users, noncekey, nc:{nonce}, authfail:{key}; only the soft state has a TTL', async () => {
      const keyPrefix = uniquePrefix();
      const store = await open({ keyPrefix });
      const aor = 'sip:alice@example.com';
      await store.putUser({ aor, username: 'alice', realm: 'example.com', ha1: { 'SHA-256': 'a'.repeat(64), MD5: 'b'.repeat(32) }, enabled: true });
      await store.nonceKey();
      await store.acceptNonceCount('abc', 1, 60 * SECOND);
      await store.countAuthFailure('ip:192.0.2.1', 90 * SECOND);
      const raw = new Redis(server.url);
      try {
        expect((await raw.keys(`${keyPrefix}*`)).sort()).toEqual(
          [`${keyPrefix}user:{${aor}}`, `${keyPrefix}users`, `${keyPrefix}noncekey`, `${keyPrefix}nc:{abc}`, `${keyPrefix}authfail:{ip:192.0.2.1}`].sort(),
        );
        expect(await raw.get(`${keyPrefix}user:{${aor}}`)).toBe(`["alice","example.com","${'a'.repeat(64)}","${'b'.repeat(32)}",true,null]`);
        expect(await raw.pttl(`${keyPrefix}nc:{abc}`)).toBeGreaterThan(50 * SECOND);
        expect(await raw.pttl(`${keyPrefix}authfail:{ip:192.0.2.1}`)).toBeGreaterThan(80 * SECOND);
        expect(await raw.pttl(`${keyPrefix}user:{${aor}}`)).toBe(-1);
        expect(await raw.pttl(`${keyPrefix}users`)).toBe(-1);
        expect(await raw.pttl(`${keyPrefix}noncekey`)).toBe(-1);
        // The key TTL collects the soft state for real, whatever the clock says.
        await store.acceptNonceCount('short', 1, 50);
        await store.countAuthFailure('short', 50);
        await eventually(async () => expect(await raw.exists(`${keyPrefix}nc:{short}`, `${keyPrefix}authfail:{short}`)).toBe(0), { timeoutMs: 2_000, intervalMs: 20 });
      } finally {
        raw.disconnect();
      }
    });

    it('users - an index entry whose record is gone (an interrupted delete) is skipped, and the list still fills its limit', async () => {
      const keyPrefix = uniquePrefix();
      const store = await open({ keyPrefix });
      const keys = new RedisKeys(keyPrefix);
      const record = (name: string) => ({ aor: `sip:${name}@example.com`, username: name, realm: 'example.com', ha1: { 'SHA-256': 'a'.repeat(64), MD5: 'b'.repeat(32) }, enabled: true });
      for (const name of ['a', 'b', 'c', 'd', 'e']) await store.putUser(record(name));
      const raw = new Redis(server.url);
      try {
        await raw.del(keys.user('sip:a@example.com'), keys.user('sip:c@example.com'));
        expect((await store.listUsers(2)).map((u) => u.username)).toEqual(['b', 'd']);
        expect((await store.listUsers(10)).map((u) => u.username)).toEqual(['b', 'd', 'e']);
        // Deleting again settles the index.
        expect(await store.deleteUser('sip:a@example.com')).toBe(false);
        expect(await raw.zrange(keys.users(), 0, -1)).not.toContain('sip:a@example.com');
      } finally {
        raw.disconnect();
      }
    });

    it('errors - a user record this code did not write is a CorruptRecordError', async () => {
      const keyPrefix = uniquePrefix();
      const store = await open({ keyPrefix });
      const raw = new Redis(server.url);
      try {
        await raw.set(new RedisKeys(keyPrefix).user('sip:bad@example.com'), '["bad","example.com","plain-password","x",true,null]');
        await expect(store.user('sip:bad@example.com')).rejects.toBeInstanceOf(CorruptRecordError);
      } finally {
        raw.disconnect();
      }
    });

    it('index - on one node the commit writes its index entry in the same script: after a SCRIPT FLUSH it is resent and the entry still ends at the earliest expiry', async () => {
      const keyPrefix = uniquePrefix();
      const keys = new RedisKeys(keyPrefix);
      const store = await open({ keyPrefix });
      const raw = new Redis(server.url);
      try {
        const p = 'sip:flushed@example.com';
        expect((await store.commitPresentity(change(p, 0, [publication('e1', 50_000)]))).ok).toBe(true);
        // The entry is exact as soon as the commit is answered: no settle follows it.
        expect(await raw.zscore(keys.expiry(7), presentityMember(p))).toBe('50000');
        await raw.script('FLUSH');
        const second = await store.commitPresentity(change(p, 1, [publication('e2', 90_000)]));
        expect(second).toMatchObject({ ok: true, state: { revision: 2 } });
        expect(await raw.zscore(keys.expiry(7), presentityMember(p))).toBe('90000');
        expect(await raw.hget(keys.expiryRevisions(7), presentityMember(p))).toBe('2');
        // A commit on a stale revision changes neither the record nor the entry.
        expect((await store.commitPresentity(change(p, 1, [publication('e3', 10_000)]))).ok).toBe(false);
        expect(await raw.zscore(keys.expiry(7), presentityMember(p))).toBe('90000');
        // The last publication gone: entry and pending mark go with the commit.
        expect((await store.commitPresentity(change(p, 2, []))).ok).toBe(true);
        expect(await raw.zscore(keys.expiry(7), presentityMember(p))).toBeNull();
        expect(await raw.hlen(keys.expiryRevisions(7))).toBe(0);
      } finally {
        raw.disconnect();
      }
    });

    it('index - the one-script commit leaves the entry to a client of the three-step path that marked a newer revision pending', async () => {
      const keyPrefix = uniquePrefix();
      const keys = new RedisKeys(keyPrefix);
      const store = await open({ keyPrefix });
      const raw = new Redis(server.url);
      try {
        const index = new PresentityIndex(keys, defineScripts(raw));
        const p = 'sip:handover@example.com';
        // A three-step client lowered for revision 2 (earliest 10) and has not committed yet.
        await index.lower(7, p, 10, 2);
        // This store commits revision 1 (earliest 90): the lowered entry must stay, the other client settles it.
        expect((await store.commitPresentity(change(p, 0, [publication('e1', 90_000)]))).ok).toBe(true);
        expect(await raw.zscore(keys.expiry(7), presentityMember(p))).toBe('10');
        expect(await raw.hget(keys.expiryRevisions(7), presentityMember(p))).toBe('2');
        // Revision 2 committed here instead is not older than the mark: the entry becomes exact.
        expect((await store.commitPresentity(change(p, 1, [publication('e2', 70_000)]))).ok).toBe(true);
        expect(await raw.zscore(keys.expiry(7), presentityMember(p))).toBe('70000');
      } finally {
        raw.disconnect();
      }
    });

    it('incarnation - every record created gets its own, from one store or from two on the same data', async () => {
      const keyPrefix = uniquePrefix();
      const stores = [await open({ keyPrefix }), await open({ keyPrefix })];
      const incarnations: string[] = [];
      for (const [s, store] of stores.entries()) {
        for (let i = 0; i < 3; i++) {
          const outcome = await store.commitPresentity(change(`sip:inc${s}-${i}@example.com`, 0, [publication('e', 50_000)]));
          incarnations.push(outcome.ok ? outcome.state.incarnation : '');
        }
      }
      expect(incarnations.every((incarnation) => incarnation !== '')).toBe(true);
      expect(new Set(incarnations).size).toBe(incarnations.length);
    });

    it('index - a settle of an older revision never raises the entry above a pending commit, nor undoes it', async () => {
      const keys = new RedisKeys(uniquePrefix());
      const raw = new Redis(server.url);
      try {
        const index = new PresentityIndex(keys, defineScripts(raw));
        const p = 'sip:alice@example.com';
        const score = async (): Promise<string | null> => raw.zscore(keys.expiry(7), presentityMember(p));
        // Revision 1 committed with earliest 50; its settle is delayed.
        await index.lower(7, p, 50, 1);
        // Revision 2 (earliest 10) lowers before committing...
        await index.lower(7, p, 10, 2);
        // ...so the late settle of revision 1 must not raise the entry back to 50.
        expect(await index.settle(7, p, 1, 50)).toBe(0);
        expect(await score()).toBe('10');
        // Revision 2's settle applies; a removal by the late revision 1 is refused too.
        expect(await index.settle(7, p, 2, 10)).toBe(1);
        expect(await index.settle(7, p, 1, undefined)).toBe(0);
        expect(await score()).toBe('10');
        // A refresh to a later time (revision 3) raises it once settled.
        await index.lower(7, p, 90, 3);
        expect(await score()).toBe('10');
        expect(await index.settle(7, p, 3, 90)).toBe(1);
        expect(await score()).toBe('90');
        // Last publication gone (revision 4, no lower): entry and pending mark go.
        expect(await index.settle(7, p, 4, undefined)).toBe(1);
        expect(await score()).toBeNull();
        expect(await raw.hlen(keys.expiryRevisions(7))).toBe(0);
      } finally {
        raw.disconnect();
      }
    });
  });
});

describe.runIf(runRedis)('RedisStore on a three-master Redis Cluster', () => {
  let cluster: RedisClusterProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  storeContract('RedisStore (cluster)', async (clock) => {
    const { store, inspect } = await openRedisStoreForTest({ cluster: cluster.nodes, clock, keyPrefix: uniquePrefix() });
    // A new data set, as seen by the store: the same server, keys no store wrote yet.
    const others: RedisStore[] = [];
    const openNewDataSet = async () => {
      const other = (await openRedisStoreForTest({ cluster: cluster.nodes, clock, keyPrefix: uniquePrefix() })).store;
      others.push(other);
      return other;
    };
    return { store, inspect, openNewDataSet, cleanup: async () => void (await Promise.all([store, ...others].map((s) => s.close()))) };
  });

  it('keys - every key of a presentity shares the slot of {aor}, partition keys the slot of {p:n}', async () => {
    const keyPrefix = uniquePrefix();
    const clock = new TestClock();
    const store = await createRedisStore({ cluster: cluster.nodes, clock, keyPrefix });
    const raw = new Cluster(cluster.nodes.map((node) => ({ host: node.host, port: node.port })));
    try {
      const aors = Array.from({ length: 20 }, (_, i) => `sip:user${i}@example.com`);
      for (const [i, aor] of aors.entries()) {
        const partition = i % 5;
        await store.commitPresentity(change(aor, 0, [publication(`e${i}`, clock.now() + 60 * SECOND)], partition));
        await store.putWatcher(partition, watcher(aor, `sub-${i}`, clock.now() + 60 * SECOND));
        await store.replaceBindings(aor, [{ contact: `<sip:${i}@192.0.2.1>`, contactKey: `sip:${i}@192.0.2.1`, expiresAt: clock.now() + 60 * SECOND, callId: 'c', cseq: 1, edgeId: 'e' }]);
        await store.acquireLease(partition, 'worker-a', 10 * SECOND);
      }
      const slot = async (key: string): Promise<number> => Number(await raw.cluster('KEYSLOT', key));
      const keys = new RedisKeys(keyPrefix);
      const slots = new Set<number>();
      for (const aor of aors) {
        const tagSlot = await slot(aor);
        expect(await slot(keys.presentity(aor))).toBe(tagSlot);
        expect(await slot(keys.watchers(aor))).toBe(tagSlot);
        expect(await slot(keys.bindings(aor))).toBe(tagSlot);
        slots.add(tagSlot);
      }
      for (let partition = 0; partition < 5; partition++) {
        const tagSlot = await slot(`p:${partition}`);
        expect(await slot(keys.expiry(partition))).toBe(tagSlot);
        expect(await slot(keys.expiryRevisions(partition))).toBe(tagSlot);
        expect(await slot(keys.lease(partition))).toBe(tagSlot);
      }
      // The presentities really are spread over the cluster, not piled on one slot.
      expect(slots.size).toBeGreaterThan(10);
      // Every key written is on the node that owns its slot (listing each master's keys finds them all).
      const found: string[] = [];
      for (const node of raw.nodes('master')) found.push(...(await node.keys(`${keyPrefix}*`)));
      expect(found).toHaveLength(aors.length * 3 + 5 * 3);
      // A user's record shares the slot of its presentity.
      for (const aor of aors.slice(0, 3)) expect(await slot(keys.user(aor))).toBe(await slot(aor));
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});

function dialogRecord(subscriptionId: string) {
  return {
    subscriptionId,
    callId: `${randomBytes(12).toString('hex')}@192.0.2.2`,
    localTag: randomBytes(4).toString('hex'),
    remoteTag: randomBytes(4).toString('hex'),
    remoteUri: 'sip:bob@example.com',
    localUri: 'sip:alice@example.com',
    remoteTarget: 'sip:bob@192.0.2.2:5060;transport=tcp',
    routeSet: ['<sip:proxy.example.com;lr>'],
    presentity: 'sip:alice@example.com',
    watcher: 'sip:bob@example.com',
    event: 'presence',
    status: 'active' as const,
    localCseq: 3,
    remoteCseq: 1,
    expiresAt: 0,
    edgeId: 'edge-1',
    flow: 'tcp:198.51.100.7:51234',
  };
}
