import { randomBytes } from 'node:crypto';
import type { Binding, DialogRecord, PresentityChange, Publication, Store, UserRecord, WatcherRecord } from '@presence/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { offlineMessagesContract } from './offline-messages.contract.js';
import type { StoreInspector } from './test-support/store-inspector.js';
import { xcapDocumentContract } from './xcap-documents.contract.js';

/** The fake clock the contract drives; the store under test must take its time from it. */
export interface ContractClock {
  now(): number;
  advance(ms: number): void;
}

/** What a store implementation's test file hands to the contract for every test. */
export interface StoreUnderTest {
  readonly store: Store;
  /** Reads of the same state that only tests make (nextExpiry, leaseHolder, listWatchers). */
  readonly inspect: StoreInspector;
  /**
   * Another store over a new, empty data set, as after a Redis restart
   * without persistence or a memory store started afresh; closed by `cleanup`.
   */
  openNewDataSet(): Promise<Store>;
  cleanup(): Promise<void>;
}

export interface StoreContractOptions {
  /** The dialog grace the factory configures (default 30 s, the stores' default). */
  readonly dialogGraceMs?: number;
}

class ManualClock implements ContractClock {
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

const SECOND = 1_000;

/**
 * The behaviour every Store implementation must have (ARCHITECTURE: "One
 * contract test suite runs against both implementations of each"). Only
 * port-level behaviour: the same suite runs against MemoryStore and
 * RedisStore. Names carry a random tag per test so a shared Redis is fine.
 *
 * The clock starts at the real time and only moves forward, so key TTLs
 * the Redis store derives from it are never in the past; the store must
 * still judge expiry by the clock it was given (a fake one here).
 */
export function storeContract(
  name: string,
  factory: (clock: ContractClock) => Promise<StoreUnderTest>,
  options: StoreContractOptions = {},
): void {
  const graceMs = options.dialogGraceMs ?? 30 * SECOND;

  describe(`${name} - Store contract`, () => {
    let clock: ManualClock;
    let under: StoreUnderTest;
    let store: Store;
    let inspect: StoreInspector;
    let t0: number;
    let tag: string;
    const aor = (user: string): string => `sip:${user}-${tag}@example.com`;

    const publication = (etag: string, expiresIn: number, body = `<presence id="${etag}"/>`): Publication => ({
      etag,
      expiresAt: t0 + expiresIn,
      publishedAt: t0,
      contentType: 'application/pidf+xml',
      body,
    });

    const change = (presentity: string, expectedRevision: number, publications: Publication[], rest: Partial<PresentityChange> = {}): PresentityChange => ({
      presentity,
      partition: 7,
      expectedRevision,
      publications,
      document: publications.map((p) => p.body).join(''),
      documentChanged: true,
      ...rest,
    });

    const watcher = (presentity: string, subscriptionId: string, expiresIn: number): WatcherRecord => ({
      presentity,
      subscriptionId,
      watcher: aor(`watcher-of-${subscriptionId}`),
      event: 'presence',
      status: 'active',
      edgeId: 'edge-1',
      expiresAt: t0 + expiresIn,
    });

    const binding = (contact: string, expiresIn: number): Binding => ({
      contact: `<sip:${contact}@192.0.2.1:5060;transport=tcp>`,
      contactKey: `sip:${contact}@192.0.2.1:5060;transport=tcp`,
      expiresAt: t0 + expiresIn,
      callId: `call-${contact}`,
      cseq: 1,
      q: 0.5,
      edgeId: 'edge-1',
      flow: `flow-${contact}`,
    });

    const dialog = (subscriptionId: string, expiresIn: number): DialogRecord => ({
      subscriptionId,
      callId: `call-${subscriptionId}`,
      localTag: 'lt',
      remoteTag: 'rt',
      remoteUri: aor('bob'),
      localUri: aor('alice'),
      remoteTarget: 'sip:bob@192.0.2.2:5060',
      routeSet: ['<sip:proxy.example.com;lr>'],
      presentity: aor('alice'),
      watcher: aor('bob'),
      event: 'presence',
      status: 'active',
      localCseq: 3,
      remoteCseq: 1,
      expiresAt: t0 + expiresIn,
      edgeId: 'edge-1',
      flow: 'flow-1',
    });

    const hex = (length: number, seed: string): string => seed.repeat(length).slice(0, length);
    const user = (name: string, rest: Partial<UserRecord> = {}): UserRecord => ({
      aor: aor(name),
      username: `${name}-${tag}`,
      realm: 'example.com',
      ha1: { 'SHA-256': hex(64, 'ab12'), MD5: hex(32, 'cd34') },
      enabled: true,
      ...rest,
    });

    const bySubscription = (a: WatcherRecord, b: WatcherRecord): number => (a.subscriptionId < b.subscriptionId ? -1 : 1);

    beforeEach(async () => {
      t0 = Date.now();
      clock = new ManualClock(t0);
      tag = randomBytes(4).toString('hex');
      under = await factory(clock);
      store = under.store;
      inspect = under.inspect;
    });

    afterEach(async () => {
      await under.cleanup();
    });

    describe('presentity', () => {
      it('presentity - an unknown presentity loads as revision 0, version 0, nothing published', async () => {
        const p = aor('nobody');
        expect(await store.loadPresentity(p)).toEqual({ presentity: p, revision: 0, version: 0, incarnation: '', publications: [], document: '' });
      });

      it('presentity - a commit with the expected revision succeeds and bumps revision and version', async () => {
        const p = aor('alice');
        const pubs = [publication('e1', 60 * SECOND)];
        const outcome = await store.commitPresentity(change(p, 0, pubs, { document: 'doc-1' }));
        const incarnation = outcome.ok ? outcome.state.incarnation : '';
        expect(incarnation).not.toBe('');
        const expected = { presentity: p, revision: 1, version: 1, incarnation, publications: pubs, document: 'doc-1' };
        expect(outcome).toEqual({ ok: true, state: expected });
        expect(await store.loadPresentity(p)).toEqual(expected);
      });

      it('presentity - a commit with a stale or future revision fails, returns the current state and changes nothing', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 60 * SECOND)], { document: 'first' }));
        const current = await store.loadPresentity(p);
        const stale = await store.commitPresentity(change(p, 0, [publication('e2', 60 * SECOND)], { document: 'second' }));
        expect(stale).toEqual({ ok: false, current });
        const future = await store.commitPresentity(change(p, 5, [], { document: 'third' }));
        expect(future).toEqual({ ok: false, current });
        expect(await store.loadPresentity(p)).toEqual(current);
      });

      it('presentity - only one of two commits racing on the same revision wins', async () => {
        const p = aor('race');
        const outcomes = await Promise.all([
          store.commitPresentity(change(p, 0, [publication('a', 60 * SECOND)])),
          store.commitPresentity(change(p, 0, [publication('b', 60 * SECOND)])),
        ]);
        expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
        expect((await store.loadPresentity(p)).revision).toBe(1);
      });

      it('presentity - version bumps only when the document changed, revision on every commit', async () => {
        const p = aor('alice');
        const first = await store.commitPresentity(change(p, 0, [publication('e1', 60 * SECOND)], { document: 'open' }));
        const incarnation = first.ok ? first.state.incarnation : '';
        const refreshed = [publication('e1', 120 * SECOND)];
        const refresh = await store.commitPresentity(change(p, 1, refreshed, { document: 'open', documentChanged: false }));
        expect(refresh).toEqual({ ok: true, state: { presentity: p, revision: 2, version: 1, incarnation, publications: refreshed, document: 'open' } });
        const modified = await store.commitPresentity(change(p, 2, refreshed, { document: 'closed', documentChanged: true }));
        expect(modified.ok && modified.state.revision).toBe(3);
        expect(modified.ok && modified.state.version).toBe(2);
        expect((await store.loadPresentity(p)).document).toBe('closed');
      });

      it('presentity - revision and version never go back once every publication is gone', async () => {
        const p = aor('alice');
        const first = await store.commitPresentity(change(p, 0, [publication('e1', 60 * SECOND)], { document: 'open' }));
        const incarnation = first.ok ? first.state.incarnation : '';
        await store.commitPresentity(change(p, 1, [], { document: '', documentChanged: true }));
        expect(await store.loadPresentity(p)).toEqual({ presentity: p, revision: 2, version: 2, incarnation, publications: [], document: '' });
        expect((await store.commitPresentity(change(p, 0, [publication('e2', 60 * SECOND)]))).ok).toBe(false);
        const again = await store.commitPresentity(change(p, 2, [publication('e2', 60 * SECOND)], { document: 'back' }));
        expect(again.ok && [again.state.revision, again.state.version]).toEqual([3, 3]);
      });

      it('presentity - the incarnation stays across commits, failed ones included, and loads as committed', async () => {
        const p = aor('alice');
        const first = await store.commitPresentity(change(p, 0, [publication('e1', 60 * SECOND)]));
        const second = await store.commitPresentity(change(p, 1, [publication('e1', 90 * SECOND)]));
        const failed = await store.commitPresentity(change(p, 0, []));
        const incarnation = first.ok ? first.state.incarnation : 'first failed';
        expect(second.ok && second.state.incarnation).toBe(incarnation);
        expect(!failed.ok && failed.current.incarnation).toBe(incarnation);
        expect((await store.loadPresentity(p)).incarnation).toBe(incarnation);
        expect((await store.loadPresentities([p]))[0]?.incarnation).toBe(incarnation);
      });

      it('presentity - a new data set counts versions again under a new incarnation', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 60 * SECOND)], { document: 'one' }));
        const before = await store.commitPresentity(change(p, 1, [publication('e1', 60 * SECOND)], { document: 'two' }));
        const lost = await under.openNewDataSet();
        expect(await lost.loadPresentity(p)).toMatchObject({ revision: 0, version: 0, incarnation: '' });
        const after = await lost.commitPresentity(change(p, 0, [publication('e2', 60 * SECOND)], { document: 'three' }));
        expect(before.ok && before.state.version).toBe(2);
        expect(after.ok && after.state.version).toBe(1);
        expect(after.ok && after.state.incarnation).not.toBe('');
        expect(after.ok && after.state.incarnation).not.toBe(before.ok && before.state.incarnation);
      });

      it('presentity - several publications and their fields are kept as committed', async () => {
        const p = aor('alice');
        const pubs = [
          publication('phone', 30 * SECOND, '<phone/>'),
          { ...publication('pc', 90 * SECOND, '<pc>ünïcödé &amp; 😀</pc>'), publishedAt: t0 - 5 },
          { ...publication('tablet', 60 * SECOND, '<tablet/>'), supersededEtag: 'tablet-before', supersededUntil: t0 + 32 * SECOND },
        ];
        await store.commitPresentity(change(p, 0, pubs, { document: '<composed/>' }));
        const loaded = await store.loadPresentity(p);
        expect(loaded.publications).toEqual(pubs);
        expect(loaded.document).toBe('<composed/>');
      });

      it('presentity - later changes to the committed arrays do not reach the store', async () => {
        const p = aor('alice');
        const pubs = [publication('e1', 60 * SECOND)];
        await store.commitPresentity(change(p, 0, pubs));
        pubs.push(publication('e2', 60 * SECOND));
        expect((await store.loadPresentity(p)).publications).toHaveLength(1);
      });

      it('presentity - loadPresentities answers in the asked order, unknown and repeated ones included', async () => {
        const [a, b, c] = [aor('a'), aor('b'), aor('c')];
        await store.commitPresentity(change(a, 0, [publication('ea', 60 * SECOND)], { document: 'A' }));
        await store.commitPresentity(change(b, 0, [publication('eb', 60 * SECOND)], { document: 'B' }));
        await store.commitPresentity(change(b, 1, [publication('eb', 60 * SECOND)], { document: 'B2' }));
        const states = await store.loadPresentities([b, c, a, b]);
        expect(states.map((s) => [s.presentity, s.revision, s.document])).toEqual([
          [b, 2, 'B2'],
          [c, 0, ''],
          [a, 1, 'A'],
          [b, 2, 'B2'],
        ]);
        expect(await store.loadPresentities([])).toEqual([]);
      });
    });

    describe('expiry index', () => {
      it('expiry index - a commit indexes the presentity once, at its earliest publication expiry', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('late', 60 * SECOND), publication('early', 30 * SECOND)]));
        expect(await inspect.nextExpiry(7)).toBe(t0 + 30 * SECOND);
        expect(await store.dueExpiries(7, t0 + 30 * SECOND - 1, 10)).toEqual([]);
        expect(await store.dueExpiries(7, t0 + 90 * SECOND, 10)).toEqual([{ kind: 'presentity', presentity: p, at: t0 + 30 * SECOND }]);
      });

      it('expiry index - due entries are those at or before now, earliest first, at most limit', async () => {
        const [a, b, c] = [aor('a'), aor('b'), aor('c')];
        await store.commitPresentity(change(c, 0, [publication('c', 30 * SECOND)]));
        await store.commitPresentity(change(a, 0, [publication('a', 10 * SECOND)]));
        await store.putWatcher(7, watcher(b, 'sub-b', 20 * SECOND));
        await store.commitPresentity(change(b, 0, [publication('b', 40 * SECOND)]));
        const all = await store.dueExpiries(7, t0 + 30 * SECOND, 100);
        expect(all).toEqual([
          { kind: 'presentity', presentity: a, at: t0 + 10 * SECOND },
          { kind: 'watcher', presentity: b, subscriptionId: 'sub-b', at: t0 + 20 * SECOND },
          { kind: 'presentity', presentity: c, at: t0 + 30 * SECOND },
        ]);
        expect(await store.dueExpiries(7, t0 + 30 * SECOND, 2)).toEqual(all.slice(0, 2));
        expect(await store.dueExpiries(7, t0 + 30 * SECOND, 0)).toEqual([]);
        expect(await store.dueExpiries(7, t0 + 9 * SECOND, 100)).toEqual([]);
      });

      it('expiry index - ordering holds over many entries', async () => {
        const offsets = Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) + 1);
        for (const [i, offset] of offsets.entries()) await store.putWatcher(7, watcher(aor('p'), `s${i}`, offset * SECOND));
        const due = await store.dueExpiries(7, t0 + 25 * SECOND, 10);
        expect(due.map((d) => d.at)).toEqual(Array.from({ length: 10 }, (_, i) => t0 + (i + 1) * SECOND));
        const rest = await store.dueExpiries(7, t0 + 25 * SECOND, 100);
        expect(rest.map((d) => d.at)).toEqual(Array.from({ length: 25 }, (_, i) => t0 + (i + 1) * SECOND));
      });

      it('expiry index - reading due entries does not remove them', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 10 * SECOND)]));
        clock.advance(20 * SECOND);
        const first = await store.dueExpiries(7, clock.now(), 10);
        expect(first).toHaveLength(1);
        expect(await store.dueExpiries(7, clock.now(), 10)).toEqual(first);
        expect(await inspect.nextExpiry(7)).toBe(t0 + 10 * SECOND);
      });

      it('expiry index - the entry follows the earliest publication expiry through refreshes', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 10 * SECOND)]));
        await store.commitPresentity(change(p, 1, [publication('e1', 100 * SECOND), publication('e2', 50 * SECOND)], { documentChanged: false }));
        expect(await store.dueExpiries(7, t0 + 49 * SECOND, 10)).toEqual([]);
        expect(await store.dueExpiries(7, t0 + 200 * SECOND, 10)).toEqual([{ kind: 'presentity', presentity: p, at: t0 + 50 * SECOND }]);
        await store.commitPresentity(change(p, 2, [publication('e1', 5 * SECOND)]));
        expect(await inspect.nextExpiry(7)).toBe(t0 + 5 * SECOND);
      });

      it('expiry index - the entry disappears when the presentity has no publications left', async () => {
        const p = aor('alice');
        const other = aor('bob');
        await store.commitPresentity(change(p, 0, [publication('e1', 10 * SECOND)]));
        await store.commitPresentity(change(other, 0, [publication('e9', 90 * SECOND)]));
        clock.advance(15 * SECOND);
        await store.commitPresentity(change(p, 1, [], { document: '' }));
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toEqual([{ kind: 'presentity', presentity: other, at: t0 + 90 * SECOND }]);
        await store.commitPresentity(change(other, 1, [], { document: '' }));
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toEqual([]);
        expect(await inspect.nextExpiry(7)).toBeUndefined();
      });

      it('expiry index - a failed commit leaves the index as it was', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 10 * SECOND)]));
        await store.commitPresentity(change(p, 0, [publication('e1', 99 * SECOND)]));
        await store.commitPresentity(change(p, 3, []));
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toEqual([{ kind: 'presentity', presentity: p, at: t0 + 10 * SECOND }]);
      });

      it('expiry index - counts the presentities with publications per partition: watchers, refreshes and failed commits do not count', async () => {
        const [a, b] = [aor('a'), aor('b')];
        expect(await store.publishedPresentities(7)).toBe(0);
        await store.commitPresentity(change(a, 0, [publication('a1', 10 * SECOND), publication('a2', 20 * SECOND)]));
        await store.commitPresentity(change(b, 0, [publication('b1', 10 * SECOND)]));
        await store.putWatcher(7, watcher(a, 'sub-a', 30 * SECOND));
        await store.commitPresentity(change(aor('c'), 0, [publication('c1', 10 * SECOND)], { partition: 8 }));
        expect(await store.publishedPresentities(7)).toBe(2);
        await store.commitPresentity(change(a, 1, [publication('a1', 40 * SECOND)], { documentChanged: false }));
        await store.commitPresentity(change(b, 0, []));
        expect(await store.publishedPresentities(7)).toBe(2);
        expect(await store.publishedPresentities(8)).toBe(1);
        await store.commitPresentity(change(b, 1, [], { document: '' }));
        expect(await store.publishedPresentities(7)).toBe(1);
        await store.removeWatcher(7, a, 'sub-a');
        expect(await store.publishedPresentities(7)).toBe(1);
        expect(await store.publishedPresentities(9)).toBe(0);
      });

      it('expiry index - a presentity whose publications lapsed counts until its owner commits the expiry', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 10 * SECOND)]));
        clock.advance(20 * SECOND);
        expect(await store.publishedPresentities(7)).toBe(1);
        await store.commitPresentity(change(p, 1, [], { document: '' }));
        expect(await store.publishedPresentities(7)).toBe(0);
      });

      it('expiry index - partitions are separate', async () => {
        await store.commitPresentity(change(aor('a'), 0, [publication('a', 10 * SECOND)], { partition: 3 }));
        await store.putWatcher(4, watcher(aor('b'), 'sub', 20 * SECOND));
        expect(await store.dueExpiries(3, t0 + 100 * SECOND, 10)).toEqual([{ kind: 'presentity', presentity: aor('a'), at: t0 + 10 * SECOND }]);
        expect(await store.dueExpiries(4, t0 + 100 * SECOND, 10)).toEqual([{ kind: 'watcher', presentity: aor('b'), subscriptionId: 'sub', at: t0 + 20 * SECOND }]);
        expect(await inspect.nextExpiry(3)).toBe(t0 + 10 * SECOND);
        expect(await inspect.nextExpiry(4)).toBe(t0 + 20 * SECOND);
        expect(await store.dueExpiries(5, t0 + 100 * SECOND, 10)).toEqual([]);
        expect(await inspect.nextExpiry(5)).toBeUndefined();
      });
    });

    describe('watchers', () => {
      it('watchers - put then list gives the stored records of that presentity only', async () => {
        const p = aor('alice');
        const w1 = watcher(p, 'sub-1', 60 * SECOND);
        const w2 = { ...watcher(p, 'sub-2', 90 * SECOND), status: 'pending' as const, event: 'presence.winfo' };
        await store.putWatcher(7, w1);
        await store.putWatcher(7, w2);
        await store.putWatcher(7, watcher(aor('bob'), 'sub-3', 60 * SECOND));
        expect((await inspect.listWatchers(p)).sort(bySubscription)).toEqual([w1, w2]);
        expect(await inspect.listWatchers(aor('nobody'))).toEqual([]);
      });

      it('watchers - put upserts by subscription id and moves its index entry', async () => {
        const p = aor('alice');
        const first = watcher(p, 'sub-1', 60 * SECOND);
        expect(await store.putWatcher(7, first)).toBeUndefined();
        const refreshed = { ...watcher(p, 'sub-1', 120 * SECOND), status: 'terminated' as const };
        expect(await store.putWatcher(7, refreshed)).toEqual(first);
        expect(await inspect.listWatchers(p)).toEqual([refreshed]);
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toEqual([{ kind: 'watcher', presentity: p, subscriptionId: 'sub-1', at: t0 + 120 * SECOND }]);
      });

      it('watchers - put and load gives the record replaced and the presentity as stored, with the watcher indexed', async () => {
        const p = aor('alice');
        const first = watcher(p, 'sub-1', 60 * SECOND);
        const unseen = await store.putWatcherAndLoad(7, first);
        expect(unseen).toEqual({ previous: undefined, state: await store.loadPresentity(p) });
        expect(unseen.state).toMatchObject({ presentity: p, revision: 0, version: 0, publications: [], document: '' });
        const committed = await store.commitPresentity(change(p, 0, [publication('e1', 30 * SECOND)]));
        const refreshed = { ...watcher(p, 'sub-1', 120 * SECOND), status: 'pending' as const };
        const put = await store.putWatcherAndLoad(7, refreshed);
        expect(put.previous).toEqual(first);
        expect(put.state).toEqual(committed.ok ? committed.state : undefined);
        expect(await inspect.listWatchers(p)).toEqual([refreshed]);
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toContainEqual({ kind: 'watcher', presentity: p, subscriptionId: 'sub-1', at: t0 + 120 * SECOND });
      });

      it('watchers - put and load in another partition moves the index entry', async () => {
        const p = aor('alice');
        await store.putWatcherAndLoad(4, watcher(p, 'sub-1', 60 * SECOND));
        await store.putWatcherAndLoad(7, watcher(p, 'sub-1', 90 * SECOND));
        expect(await store.dueExpiries(4, t0 + 1_000 * SECOND, 10)).toEqual([]);
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toEqual([{ kind: 'watcher', presentity: p, subscriptionId: 'sub-1', at: t0 + 90 * SECOND }]);
      });

      it('watchers - remove returns the record and takes it and its index entry away', async () => {
        const p = aor('alice');
        const w1 = watcher(p, 'sub-1', 60 * SECOND);
        const w2 = watcher(p, 'sub-2', 30 * SECOND);
        await store.putWatcher(7, w1);
        await store.putWatcher(7, w2);
        expect(await store.removeWatcher(7, p, 'sub-2')).toEqual(w2);
        expect(await inspect.listWatchers(p)).toEqual([w1]);
        expect(await store.dueExpiries(7, t0 + 1_000 * SECOND, 10)).toEqual([{ kind: 'watcher', presentity: p, subscriptionId: 'sub-1', at: t0 + 60 * SECOND }]);
        expect(await store.removeWatcher(7, p, 'sub-2')).toBeUndefined();
        expect(await store.removeWatcher(7, p, 'sub-1')).toEqual(w1);
        expect(await inspect.listWatchers(p)).toEqual([]);
        expect(await inspect.nextExpiry(7)).toBeUndefined();
      });

      it('watchers - remove of an unknown watcher gives undefined', async () => {
        expect(await store.removeWatcher(7, aor('alice'), 'nope')).toBeUndefined();
      });

      it('watchers - list includes expired watchers: the owner expires them through the index', async () => {
        const p = aor('alice');
        const w = watcher(p, 'sub-1', 10 * SECOND);
        await store.putWatcher(7, w);
        clock.advance(60 * SECOND);
        expect(await inspect.listWatchers(p)).toEqual([w]);
        expect(await store.dueExpiries(7, clock.now(), 10)).toEqual([{ kind: 'watcher', presentity: p, subscriptionId: 'sub-1', at: t0 + 10 * SECOND }]);
      });

      it('watchers - watcher and presentity entries of one presentity are separate', async () => {
        const p = aor('alice');
        await store.commitPresentity(change(p, 0, [publication('e1', 10 * SECOND)]));
        await store.putWatcher(7, watcher(p, 'sub-1', 10 * SECOND));
        expect(await store.dueExpiries(7, t0 + 10 * SECOND, 10)).toHaveLength(2);
        await store.removeWatcher(7, p, 'sub-1');
        expect(await store.dueExpiries(7, t0 + 10 * SECOND, 10)).toEqual([{ kind: 'presentity', presentity: p, at: t0 + 10 * SECOND }]);
      });
    });

    describe('bindings', () => {
      it('bindings - replace then read gives the unexpired bindings', async () => {
        const a = aor('alice');
        const short = binding('short', 10 * SECOND);
        const long = binding('long', 60 * SECOND);
        await store.replaceBindings(a, [short, long]);
        const sortByContact = (list: Binding[]): Binding[] => list.sort((x, y) => (x.contactKey < y.contactKey ? -1 : 1));
        expect(sortByContact(await store.bindings(a, t0))).toEqual([long, short]);
        clock.advance(10 * SECOND);
        expect(await store.bindings(a, clock.now())).toEqual([long]);
        expect(await store.bindings(aor('nobody'), clock.now())).toEqual([]);
      });

      it('bindings - the set vanishes once every binding has expired', async () => {
        const a = aor('alice');
        await store.replaceBindings(a, [binding('one', 10 * SECOND), binding('two', 20 * SECOND)]);
        clock.advance(20 * SECOND);
        expect(await store.bindings(a, clock.now())).toEqual([]);
        // Gone, not merely filtered: asking about an earlier instant finds nothing either.
        expect(await store.bindings(a, t0)).toEqual([]);
      });

      it('bindings - replace overwrites the whole set; an empty set deletes', async () => {
        const a = aor('alice');
        await store.replaceBindings(a, [binding('one', 60 * SECOND), binding('two', 60 * SECOND)]);
        const three = binding('three', 30 * SECOND);
        await store.replaceBindings(a, [three]);
        expect(await store.bindings(a, t0)).toEqual([three]);
        await store.replaceBindings(a, []);
        expect(await store.bindings(a, t0)).toEqual([]);
      });

      it('bindings - AORs are separate', async () => {
        const one = binding('one', 60 * SECOND);
        await store.replaceBindings(aor('alice'), [one]);
        await store.replaceBindings(aor('bob'), [binding('two', 60 * SECOND)]);
        await store.replaceBindings(aor('bob'), []);
        expect(await store.bindings(aor('alice'), t0)).toEqual([one]);
      });
    });

    describe('dialogs', () => {
      it('dialogs - save then load gives the record back', async () => {
        const d = dialog('sub-1', 60 * SECOND);
        await store.saveDialog(d);
        expect(await store.loadDialog('sub-1')).toEqual(d);
        expect(await store.loadDialog('other')).toBeUndefined();
      });

      it('dialogs - a pending status and a watcher view (pres-rules) are kept for the edge that adopts the dialog', async () => {
        const d = { ...dialog(`sub-view-${tag}`, 60 * SECOND), status: 'pending' as const, viewKey: '{"services":{"all":false}}' };
        await store.saveDialog(d);
        expect(await store.loadDialog(d.subscriptionId)).toEqual(d);
      });

      it('dialogs - a notification filter (RFC 4661 document) is kept, with or without a view', async () => {
        const filter = '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="a"><what><include type="xpath">//basic</include></what></filter></filter-set>';
        const alone = { ...dialog(`sub-filter-${tag}`, 60 * SECOND), filter };
        const viewed = { ...dialog(`sub-filter-view-${tag}`, 60 * SECOND), viewKey: 'v', filter };
        await store.saveDialog(alone);
        await store.saveDialog(viewed);
        expect(await store.loadDialog(alone.subscriptionId)).toEqual(alone);
        expect(await store.loadDialog(viewed.subscriptionId)).toEqual(viewed);
      });

      it('dialogs - partial notification (RFC 5263) is kept, with or without a view', async () => {
        const plain = { ...dialog(`sub-partial-${tag}`, 60 * SECOND), partial: true as const };
        const viewed = { ...dialog(`sub-partial-view-${tag}`, 60 * SECOND), partial: true as const, viewKey: '{"services":{"all":false}}' };
        await store.saveDialog(plain);
        await store.saveDialog(viewed);
        expect(await store.loadDialog(plain.subscriptionId)).toEqual(plain);
        expect(await store.loadDialog(viewed.subscriptionId)).toEqual(viewed);
      });

      it('dialogs - filters and partial notification together are kept, with or without a view (#15 combined)', async () => {
        const filter = '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="a"><what><include type="xpath">//basic</include></what></filter></filter-set>';
        const plain = { ...dialog(`sub-both-${tag}`, 60 * SECOND), filter, partial: true as const };
        const viewed = { ...plain, subscriptionId: `sub-both-view-${tag}`, viewKey: 'v' };
        await store.saveDialog(plain);
        await store.saveDialog(viewed);
        expect(await store.loadDialog(plain.subscriptionId)).toEqual(plain);
        expect(await store.loadDialog(viewed.subscriptionId)).toEqual(viewed);
      });

      it('dialogs - a dialog stays loadable for the grace after it expires, then lapses', async () => {
        const d = dialog(`sub-${tag}`, 60 * SECOND);
        await store.saveDialog(d);
        clock.advance(60 * SECOND + graceMs - 1);
        expect(await store.loadDialog(d.subscriptionId)).toEqual(d);
        clock.advance(1);
        expect(await store.loadDialog(d.subscriptionId)).toBeUndefined();
      });

      it('dialogs - saving again refreshes the record and its lapse time', async () => {
        const d = dialog(`sub-${tag}`, 60 * SECOND);
        await store.saveDialog(d);
        clock.advance(50 * SECOND);
        const refreshed = { ...d, expiresAt: clock.now() + 60 * SECOND, localCseq: 9 };
        await store.saveDialog(refreshed);
        clock.advance(60 * SECOND);
        expect(await store.loadDialog(d.subscriptionId)).toEqual(refreshed);
      });

      it('dialogs - delete removes it; deleting an unknown dialog is fine', async () => {
        const d = dialog(`sub-${tag}`, 60 * SECOND);
        await store.saveDialog(d);
        await store.deleteDialog(d.subscriptionId);
        expect(await store.loadDialog(d.subscriptionId)).toBeUndefined();
        await expect(store.deleteDialog('never-saved')).resolves.toBeUndefined();
      });
    });

    describe('leases', () => {
      const TTL = 10 * SECOND;

      it('leases - a free partition is taken with epoch 1 and lasts ttl from now', async () => {
        expect(await inspect.leaseHolder(3)).toBeUndefined();
        const lease = await store.acquireLease(3, 'worker-a', TTL);
        expect(lease).toEqual({ partition: 3, owner: 'worker-a', epoch: 1, expiresAt: t0 + TTL });
        expect(await inspect.leaseHolder(3)).toEqual(lease);
      });

      it('leases - a lease taken by one owner is refused to another until it lapses', async () => {
        await store.acquireLease(3, 'worker-a', TTL);
        expect(await store.acquireLease(3, 'worker-b', TTL)).toBeUndefined();
        clock.advance(TTL - 1);
        expect(await store.acquireLease(3, 'worker-b', TTL)).toBeUndefined();
        expect((await inspect.leaseHolder(3))?.owner).toBe('worker-a');
        clock.advance(1);
        expect(await inspect.leaseHolder(3)).toBeUndefined();
        const taken = await store.acquireLease(3, 'worker-b', TTL);
        expect(taken).toEqual({ partition: 3, owner: 'worker-b', epoch: 2, expiresAt: clock.now() + TTL });
        expect(await inspect.leaseHolder(3)).toEqual(taken);
        expect(await store.acquireLease(3, 'worker-a', TTL)).toBeUndefined();
      });

      it('leases - renewal by the holder keeps the epoch and extends the lease', async () => {
        const first = await store.acquireLease(3, 'worker-a', TTL);
        clock.advance(TTL / 2);
        const renewed = await store.acquireLease(3, 'worker-a', 3 * TTL);
        expect(renewed).toEqual({ partition: 3, owner: 'worker-a', epoch: first?.epoch, expiresAt: clock.now() + 3 * TTL });
        clock.advance(2 * TTL);
        expect(await inspect.leaseHolder(3)).toEqual(renewed);
        expect(await store.acquireLease(3, 'worker-b', TTL)).toBeUndefined();
      });

      it('leases - a released lease is free at once and its next holder gets a higher epoch', async () => {
        const first = await store.acquireLease(3, 'worker-a', TTL);
        await store.releaseLease(3, 'worker-b');
        expect((await inspect.leaseHolder(3))?.owner).toBe('worker-a');
        await store.releaseLease(3, 'worker-a');
        expect(await inspect.leaseHolder(3)).toBeUndefined();
        const next = await store.acquireLease(3, 'worker-b', TTL);
        expect(next?.epoch).toBeGreaterThan(first?.epoch ?? Infinity);
        await expect(store.releaseLease(9, 'worker-a')).resolves.toBeUndefined();
      });

      it('leases - taking a lapsed or released lease again, even by its last holder, is a new tenure with a higher epoch', async () => {
        const first = await store.acquireLease(3, 'worker-a', TTL);
        clock.advance(TTL);
        const second = await store.acquireLease(3, 'worker-a', TTL);
        expect(second?.epoch).toBe((first?.epoch ?? 0) + 1);
        await store.releaseLease(3, 'worker-a');
        const third = await store.acquireLease(3, 'worker-a', TTL);
        expect(third?.epoch).toBe((first?.epoch ?? 0) + 2);
      });

      it('leases - a ttl that is not a positive number is a RangeError', async () => {
        await expect(store.acquireLease(3, 'worker-a', 0)).rejects.toBeInstanceOf(RangeError);
        await expect(store.acquireLease(3, 'worker-a', Number.NaN)).rejects.toBeInstanceOf(RangeError);
        await expect(store.heartbeat('worker-a', -1)).rejects.toBeInstanceOf(RangeError);
        expect(await inspect.leaseHolder(3)).toBeUndefined();
        expect(await store.liveMembers()).toEqual([]);
      });

      it('leases - leaseHolders names the live holder; a free, released or lapsed lease has none', async () => {
        expect((await store.leaseHolders(5))[3]?.owner).toBeUndefined();
        await store.acquireLease(3, 'worker-a', TTL);
        await store.acquireLease(4, 'worker-b', TTL);
        expect((await store.leaseHolders(5))[3]?.owner).toBe('worker-a');
        expect((await store.leaseHolders(5))[4]?.owner).toBe('worker-b');
        await store.releaseLease(4, 'worker-b');
        expect((await store.leaseHolders(5))[4]?.owner).toBeUndefined();
        clock.advance(TTL - 1);
        expect((await store.leaseHolders(5))[3]?.owner).toBe('worker-a');
        clock.advance(1);
        expect((await store.leaseHolders(5))[3]?.owner).toBeUndefined();
      });

      it('leases - partitions are separate', async () => {
        await store.acquireLease(3, 'worker-a', TTL);
        const other = await store.acquireLease(4, 'worker-b', TTL);
        expect(other).toEqual({ partition: 4, owner: 'worker-b', epoch: 1, expiresAt: t0 + TTL });
        expect((await inspect.leaseHolder(3))?.owner).toBe('worker-a');
      });

      it('leases - acquireLeases takes, renews and refuses each partition as acquireLease does, answers in the order asked', async () => {
        const held = await store.acquireLease(3, 'worker-a', TTL);
        await store.acquireLease(4, 'worker-b', TTL);
        const lapsed = await store.acquireLease(6, 'worker-b', TTL / 2);
        clock.advance(TTL / 2);
        const now = clock.now();
        const leases = await store.acquireLeases([5, 4, 3, 6], 'worker-a', 2 * TTL);
        expect(leases).toEqual([
          { partition: 5, owner: 'worker-a', epoch: 1, expiresAt: now + 2 * TTL },
          undefined,
          { partition: 3, owner: 'worker-a', epoch: held?.epoch, expiresAt: now + 2 * TTL },
          { partition: 6, owner: 'worker-a', epoch: (lapsed?.epoch ?? 0) + 1, expiresAt: now + 2 * TTL },
        ]);
        for (const partition of [5, 3, 6]) expect((await inspect.leaseHolder(partition))?.owner).toBe('worker-a');
        expect((await inspect.leaseHolder(4))?.owner).toBe('worker-b');
        expect(await store.acquireLeases([], 'worker-a', TTL)).toEqual([]);
        await expect(store.acquireLeases([7], 'worker-a', 0)).rejects.toBeInstanceOf(RangeError);
        expect(await inspect.leaseHolder(7)).toBeUndefined();
      });

      it('leases - only one of many owners racing for a free lease gets it', async () => {
        const owners = Array.from({ length: 10 }, (_, i) => `worker-${i}`);
        const outcomes = await Promise.all(owners.map((owner) => store.acquireLease(5, owner, TTL)));
        const winners = outcomes.filter((lease) => lease !== undefined);
        expect(winners).toHaveLength(1);
        expect(await inspect.leaseHolder(5)).toEqual(winners[0]);
      });
    });

    describe('members', () => {
      it('members - heartbeats announce members, listed sorted', async () => {
        expect(await store.liveMembers()).toEqual([]);
        await store.heartbeat('worker-c', 10 * SECOND);
        await store.heartbeat('worker-a', 10 * SECOND);
        await store.heartbeat('worker-b', 10 * SECOND);
        expect(await store.liveMembers()).toEqual(['worker-a', 'worker-b', 'worker-c']);
      });

      it('members - a member lapses ttl after its last heartbeat; a heartbeat extends it', async () => {
        await store.heartbeat('worker-a', 10 * SECOND);
        await store.heartbeat('worker-b', 10 * SECOND);
        clock.advance(6 * SECOND);
        await store.heartbeat('worker-b', 10 * SECOND);
        clock.advance(4 * SECOND - 1);
        expect(await store.liveMembers()).toEqual(['worker-a', 'worker-b']);
        clock.advance(1);
        expect(await store.liveMembers()).toEqual(['worker-b']);
        clock.advance(6 * SECOND);
        expect(await store.liveMembers()).toEqual([]);
        await store.heartbeat('worker-a', 10 * SECOND);
        expect(await store.liveMembers()).toEqual(['worker-a']);
      });

      it('members - leave removes a member at once; leaving twice is fine', async () => {
        await store.heartbeat('worker-a', 10 * SECOND);
        await store.heartbeat('worker-b', 10 * SECOND);
        await store.leave('worker-a');
        expect(await store.liveMembers()).toEqual(['worker-b']);
        await expect(store.leave('worker-a')).resolves.toBeUndefined();
      });
    });

    describe('users', () => {
      it('users - put then get gives the record back; an unknown AOR gives undefined', async () => {
        const alice = user('alice', { displayName: 'Alice Ünïcode 😀' });
        await store.putUser(alice);
        expect(await store.user(alice.aor)).toEqual(alice);
        expect(await store.user(aor('nobody'))).toBeUndefined();
      });

      it('users - put replaces the whole record: realm, HA1s, display name and enabled', async () => {
        await store.putUser(user('alice', { displayName: 'Alice' }));
        const replaced = user('alice', { realm: 'other.example', ha1: { 'SHA-256': hex(64, '9f'), MD5: hex(32, '0e') }, enabled: false });
        await store.putUser(replaced);
        const read = await store.user(replaced.aor);
        expect(read).toEqual(replaced);
        expect(read).not.toHaveProperty('displayName');
      });

      it('users - later changes to the put object do not reach the store', async () => {
        const alice = { ...user('alice'), ha1: { ...user('alice').ha1 } };
        await store.putUser(alice);
        alice.ha1.MD5 = hex(32, 'ff');
        expect((await store.user(alice.aor))?.ha1.MD5).toBe(hex(32, 'cd34'));
      });

      it('users - delete removes the user and says whether there was one', async () => {
        await store.putUser(user('alice'));
        await store.putUser(user('bob'));
        expect(await store.deleteUser(aor('alice'))).toBe(true);
        expect(await store.user(aor('alice'))).toBeUndefined();
        expect(await store.deleteUser(aor('alice'))).toBe(false);
        expect(await store.user(aor('bob'))).toEqual(user('bob'));
        expect((await store.listUsers(10)).map((u) => u.aor)).toEqual([aor('bob')]);
      });

      it('users - list is ordered by AOR and holds at most limit users', async () => {
        expect(await store.listUsers(10)).toEqual([]);
        for (const name of ['carol', 'alice', 'dave', 'bob']) await store.putUser(user(name));
        await store.putUser(user('bob', { enabled: false }));
        const all = await store.listUsers(100);
        expect(all.map((u) => u.aor)).toEqual(['alice', 'bob', 'carol', 'dave'].map(aor));
        expect(all[1]).toEqual(user('bob', { enabled: false }));
        expect((await store.listUsers(2)).map((u) => u.aor)).toEqual(['alice', 'bob'].map(aor));
        expect(await store.listUsers(0)).toEqual([]);
      });

      it('users - a record that is not one (bad HA1, say a password) or a bad limit is a RangeError', async () => {
        await expect(store.putUser(user('alice', { ha1: { 'SHA-256': 'secret', MD5: hex(32, 'cd34') } }))).rejects.toBeInstanceOf(RangeError);
        await expect(store.putUser(user('alice', { ha1: { 'SHA-256': hex(64, 'AB'), MD5: hex(32, 'cd34') } }))).rejects.toBeInstanceOf(RangeError);
        await expect(store.putUser(user('alice', { username: '' }))).rejects.toBeInstanceOf(RangeError);
        await expect(store.listUsers(-1)).rejects.toBeInstanceOf(RangeError);
        await expect(store.listUsers(1.5)).rejects.toBeInstanceOf(RangeError);
        expect(await store.user(aor('alice'))).toBeUndefined();
      });
    });

    describe('auth state', () => {
      const TTL = 30 * SECOND;
      const nonce = (): string => `nonce-${tag}`;

      it('auth state - the nonce key is 32 random bytes in hex and the same on every call', async () => {
        const key = await store.nonceKey();
        expect(key).toMatch(/^[0-9a-f]{64}$/);
        expect(await store.nonceKey()).toBe(key);
        const again = await Promise.all([store.nonceKey(), store.nonceKey(), store.nonceKey()]);
        expect(again).toEqual([key, key, key]);
      });

      it('auth state - a nonce count is accepted once: a replay or a lower count is refused, a higher one accepted', async () => {
        expect(await store.acceptNonceCount(nonce(), 1, TTL)).toBe(true);
        expect(await store.acceptNonceCount(nonce(), 1, TTL)).toBe(false);
        expect(await store.acceptNonceCount(nonce(), 3, TTL)).toBe(true);
        expect(await store.acceptNonceCount(nonce(), 2, TTL)).toBe(false);
        expect(await store.acceptNonceCount(nonce(), 3, TTL)).toBe(false);
        expect(await store.acceptNonceCount(nonce(), 4, TTL)).toBe(true);
        expect(await store.acceptNonceCount(`${nonce()}-other`, 1, TTL)).toBe(true);
      });

      it('auth state - of many racing uses of one count, exactly one is accepted', async () => {
        const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.acceptNonceCount(nonce(), 7, TTL)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
      });

      it('auth state - the used counts of a nonce lapse ttl after the last accepted one', async () => {
        await store.acceptNonceCount(nonce(), 1, TTL);
        clock.advance(TTL / 2);
        await store.acceptNonceCount(nonce(), 2, TTL);
        clock.advance(TTL - 1);
        expect(await store.acceptNonceCount(nonce(), 2, TTL)).toBe(false);
        clock.advance(1);
        expect(await store.acceptNonceCount(nonce(), 1, TTL)).toBe(true);
      });

      it('auth state - failures are counted, lapse ttl after the last one, and clear', async () => {
        const key = `ip:192.0.2.9-${tag}`;
        expect(await store.authFailures(key)).toBe(0);
        expect(await store.countAuthFailure(key, TTL)).toBe(1);
        clock.advance(TTL / 2);
        expect(await store.countAuthFailure(key, TTL)).toBe(2);
        expect(await store.countAuthFailure(`user:${tag}`, TTL)).toBe(1);
        expect(await store.authFailures(key)).toBe(2);
        expect(await store.authFailures(`user:${tag}`)).toBe(1);
        clock.advance(TTL - 1);
        expect(await store.authFailures(key)).toBe(2);
        clock.advance(1);
        expect(await store.authFailures(key)).toBe(0);
        expect(await store.countAuthFailure(key, TTL)).toBe(1);
        await store.clearAuthFailures(key);
        expect(await store.authFailures(key)).toBe(0);
        await expect(store.clearAuthFailures(key)).resolves.toBeUndefined();
      });

      it('auth state - racing failures are each counted', async () => {
        const key = `ip:198.51.100.1-${tag}`;
        const counts = await Promise.all(Array.from({ length: 10 }, () => store.countAuthFailure(key, TTL)));
        expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
        expect(await store.authFailures(key)).toBe(10);
      });

      it('auth state - a ttl that is not positive or a count that is not a non-negative integer is a RangeError', async () => {
        await expect(store.acceptNonceCount(nonce(), 1, 0)).rejects.toBeInstanceOf(RangeError);
        await expect(store.acceptNonceCount(nonce(), -1, TTL)).rejects.toBeInstanceOf(RangeError);
        await expect(store.acceptNonceCount(nonce(), 1.5, TTL)).rejects.toBeInstanceOf(RangeError);
        await expect(store.countAuthFailure('k', Number.NaN)).rejects.toBeInstanceOf(RangeError);
        expect(await store.acceptNonceCount(nonce(), 1, TTL)).toBe(true);
      });
    });

    describe('inspection', () => {
      it('inspection - watchersOf gives at most limit watchers of that presentity and how many it has', async () => {
        const alice = aor('alice');
        for (const id of ['w1', 'w2', 'w3']) await store.putWatcher(7, watcher(alice, id, 60 * SECOND));
        await store.putWatcher(7, watcher(aor('carol'), 'w9', 60 * SECOND));
        const all = await store.watchersOf(alice, 10);
        expect(all.total).toBe(3);
        expect([...all.items].sort(bySubscription)).toEqual([watcher(alice, 'w1', 60 * SECOND), watcher(alice, 'w2', 60 * SECOND), watcher(alice, 'w3', 60 * SECOND)]);
        const two = await store.watchersOf(alice, 2);
        expect(two.total).toBe(3);
        expect(two.items).toHaveLength(2);
        expect(await store.watchersOf(aor('nobody'), 10)).toEqual({ total: 0, items: [] });
        await expect(store.watchersOf(alice, -1)).rejects.toBeInstanceOf(RangeError);
      });

      it('inspection - leaseHolders gives each partition its live lease in order, undefined where none is live', async () => {
        const a = await store.acquireLease(0, 'worker-a', 10 * SECOND);
        await store.acquireLease(2, 'worker-b', 5 * SECOND);
        await store.acquireLease(3, 'worker-b', 10 * SECOND);
        await store.releaseLease(3, 'worker-b');
        clock.advance(5 * SECOND);
        expect(await store.leaseHolders(4)).toEqual([a, undefined, undefined, undefined]);
        expect(await store.leaseHolders(0)).toEqual([]);
        await expect(store.leaseHolders(1.5)).rejects.toBeInstanceOf(RangeError);
      });

      it('inspection - dialogsByCallId finds the saved dialogs of a Call-ID until deleted or lapsed, at most limit', async () => {
        const callId = `call-${tag}@192.0.2.2`;
        const one = { ...dialog(`sub-a-${tag}`, 60 * SECOND), callId };
        const two = { ...dialog(`sub-b-${tag}`, 10 * SECOND), callId, remoteTag: 'rt2' };
        await store.saveDialog(one);
        await store.saveDialog(two);
        await store.saveDialog(dialog(`sub-c-${tag}`, 60 * SECOND));
        const both = await store.dialogsByCallId(callId, 10);
        expect([...both].sort((x, y) => (x.subscriptionId < y.subscriptionId ? -1 : 1))).toEqual([one, two]);
        expect(await store.dialogsByCallId(callId, 1)).toHaveLength(1);
        clock.advance(10 * SECOND + graceMs);
        expect(await store.dialogsByCallId(callId, 10)).toEqual([one]);
        await store.deleteDialog(one.subscriptionId);
        expect(await store.dialogsByCallId(callId, 10)).toEqual([]);
        expect(await store.dialogsByCallId('never-seen', 10)).toEqual([]);
        await expect(store.dialogsByCallId(callId, -1)).rejects.toBeInstanceOf(RangeError);
      });

      it('inspection - dialogsByCallId follows a Call-ID from one dialog to several and back, and a dialog moved to another Call-ID', async () => {
        const callId = `call-${tag}@192.0.2.3`;
        const one = { ...dialog(`sub-d-${tag}`, 60 * SECOND), callId };
        const two = { ...dialog(`sub-e-${tag}`, 60 * SECOND), callId, remoteTag: 'rt2' };
        await store.saveDialog(one);
        await store.saveDialog(one);
        expect(await store.dialogsByCallId(callId, 10)).toEqual([one]);
        await store.saveDialog(two);
        await store.deleteDialog(one.subscriptionId);
        expect(await store.dialogsByCallId(callId, 10)).toEqual([two]);
        await store.deleteDialog(two.subscriptionId);
        expect(await store.dialogsByCallId(callId, 10)).toEqual([]);
        await store.saveDialog(one);
        const moved = { ...one, callId: `moved-${callId}` };
        await store.saveDialog(moved);
        expect(await store.dialogsByCallId(callId, 10)).toEqual([]);
        expect(await store.dialogsByCallId(moved.callId, 10)).toEqual([moved]);
      });
    });

    offlineMessagesContract({ store: () => store, advance: (ms) => clock.advance(ms), aor });
    xcapDocumentContract({ store: () => store, tag: () => tag });

    describe('health', () => {
      it('health - ping answers true while open', async () => {
        expect(await store.ping()).toBe(true);
      });
    });
  });
}
