import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Binding, DialogRecord, Publication, WatcherRecord } from '@presence/core';
import { sleep } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreLogger } from '../store-logger.js';
import { type MemoryStoreInspector, openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';
import { type MemoryStore, SNAPSHOT_FILE } from './memory-store.js';

/** MemoryStore with a data directory: snapshot on close and periodically, restore at start, corrupt files set aside. */

const T0 = 1_800_000_000_000;
const SECOND = 1_000;

class TestClock {
  constructor(public time = T0) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

function recordingLogger(): StoreLogger & { warnings: Array<{ context: object; message: string }>; errors: Array<{ context: object; message: string }> } {
  const warnings: Array<{ context: object; message: string }> = [];
  const errors: Array<{ context: object; message: string }> = [];
  return {
    warnings,
    errors,
    warn: (context, message) => void warnings.push({ context, message }),
    error: (context, message) => void errors.push({ context, message }),
  };
}

const publication = (etag: string, expiresAt: number): Publication => ({ etag, expiresAt, publishedAt: T0, contentType: 'application/pidf+xml', body: `<p id="${etag}"/>` });
const watcher = (subscriptionId: string, expiresAt: number): WatcherRecord => ({
  presentity: 'sip:alice@example.com',
  subscriptionId,
  watcher: 'sip:bob@example.com',
  event: 'presence',
  status: 'active',
  edgeId: 'edge-1',
  expiresAt,
});
const binding = (contact: string, expiresAt: number): Binding => ({ contact: `<sip:${contact}@192.0.2.1>`, contactKey: `sip:${contact}@192.0.2.1`, expiresAt, callId: contact, cseq: 2, edgeId: 'edge-1' });
const dialog = (subscriptionId: string, expiresAt: number): DialogRecord => ({
  subscriptionId,
  callId: `c-${subscriptionId}`,
  localTag: 'l',
  remoteTag: 'r',
  remoteUri: 'sip:bob@example.com',
  localUri: 'sip:alice@example.com',
  remoteTarget: 'sip:bob@192.0.2.2',
  routeSet: [],
  presentity: 'sip:alice@example.com',
  watcher: 'sip:bob@example.com',
  event: 'presence',
  status: 'active',
  localCseq: 4,
  remoteCseq: 2,
  expiresAt,
  edgeId: 'edge-1',
  flow: 'f',
});

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('MemoryStore durability', () => {
  let dir: string;
  let dataDir: string;
  let clock: TestClock;
  const open: MemoryStore[] = [];

  async function start(options: { logger?: StoreLogger; snapshotIntervalMs?: number } = {}): Promise<{ store: MemoryStore; inspect: MemoryStoreInspector }> {
    const opened = await openMemoryStoreForTest({ clock, dataDir, ...options });
    open.push(opened.store);
    return opened;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memory-store-test-'));
    dataDir = join(dir, 'nested', 'data');
    clock = new TestClock();
  });

  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((store) => store.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('durability - everything survives a restart, revisions and expiry index included', async () => {
    const { store: first } = await start();
    const pubs = [publication('e1', T0 + 60 * SECOND), publication('e2', T0 + 30 * SECOND)];
    const created = await first.commitPresentity({ presentity: 'sip:alice@example.com', partition: 9, expectedRevision: 0, publications: pubs, document: 'doc', documentChanged: true });
    const incarnation = created.ok ? created.state.incarnation : 'not committed';
    await first.commitPresentity({ presentity: 'sip:alice@example.com', partition: 9, expectedRevision: 1, publications: pubs, document: 'doc', documentChanged: false });
    await first.commitPresentity({ presentity: 'sip:gone@example.com', partition: 9, expectedRevision: 0, publications: [], document: '', documentChanged: true });
    await first.putWatcher(9, watcher('sub-1', T0 + 45 * SECOND));
    await first.replaceBindings('sip:alice@example.com', [binding('a', T0 + 90 * SECOND)]);
    await first.saveDialog(dialog('sub-1', T0 + 45 * SECOND));
    await first.close();

    const { store: second, inspect } = await start();
    expect(await second.loadPresentity('sip:alice@example.com')).toEqual({ presentity: 'sip:alice@example.com', revision: 2, version: 1, incarnation, publications: pubs, document: 'doc' });
    expect((await second.loadPresentity('sip:gone@example.com')).revision).toBe(1);
    expect(await inspect.listWatchers('sip:alice@example.com')).toEqual([watcher('sub-1', T0 + 45 * SECOND)]);
    expect(await second.bindings('sip:alice@example.com', T0)).toEqual([binding('a', T0 + 90 * SECOND)]);
    expect(await second.loadDialog('sub-1')).toEqual(dialog('sub-1', T0 + 45 * SECOND));
    expect(await second.dueExpiries(9, T0 + 100 * SECOND, 10)).toEqual([
      { kind: 'presentity', presentity: 'sip:alice@example.com', at: T0 + 30 * SECOND },
      { kind: 'watcher', presentity: 'sip:alice@example.com', subscriptionId: 'sub-1', at: T0 + 45 * SECOND },
    ]);
  });

  it('durability - lapsed bindings and dialogs are dropped at load; expired publications and watchers stay, due at once', async () => {
    const { store: first } = await start();
    await first.commitPresentity({ presentity: 'sip:alice@example.com', partition: 1, expectedRevision: 0, publications: [publication('e1', T0 + 10 * SECOND)], document: 'doc', documentChanged: true });
    await first.putWatcher(1, watcher('sub-1', T0 + 10 * SECOND));
    await first.replaceBindings('sip:old@example.com', [binding('old', T0 + 10 * SECOND)]);
    await first.replaceBindings('sip:mixed@example.com', [binding('short', T0 + 10 * SECOND), binding('long', T0 + 900 * SECOND)]);
    await first.saveDialog(dialog('lapsed', T0 + 10 * SECOND));
    await first.saveDialog(dialog('alive', T0 + 900 * SECOND));
    await first.close();

    clock.advance(60 * SECOND);
    const { store: second, inspect } = await start();
    expect(inspect.counts()).toMatchObject({ presentities: 1, watchers: 1, bindingSets: 1, dialogs: 1 });
    expect(await second.bindings('sip:old@example.com', T0)).toEqual([]);
    expect(await second.bindings('sip:mixed@example.com', T0)).toEqual([binding('long', T0 + 900 * SECOND)]);
    expect(await second.loadDialog('lapsed')).toBeUndefined();
    expect(await second.loadDialog('alive')).toBeDefined();
    expect((await second.loadPresentity('sip:alice@example.com')).publications).toHaveLength(1);
    expect(await second.dueExpiries(1, clock.now(), 10)).toHaveLength(2);
  });

  it('durability - a corrupt snapshot is moved aside with a warning and the store starts empty', async () => {
    const { store: first } = await start();
    await first.close();
    await writeFile(join(dataDir, SNAPSHOT_FILE), '{"format": "presence-memory-store", trunc');
    const logger = recordingLogger();
    const { store, inspect } = await start({ logger });
    expect(inspect.counts()).toMatchObject({ presentities: 0, watchers: 0, bindingSets: 0, dialogs: 0 });
    expect(await readdir(dataDir)).toEqual([`${SNAPSHOT_FILE}.corrupt-${T0}`]);
    expect(await readFile(join(dataDir, `${SNAPSHOT_FILE}.corrupt-${T0}`), 'utf8')).toContain('trunc');
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.context).toMatchObject({ movedTo: join(dataDir, `${SNAPSHOT_FILE}.corrupt-${T0}`) });
    await store.putWatcher(1, watcher('sub-1', T0 + 60 * SECOND));
    await store.close();
    expect((await start()).inspect.counts().watchers).toBe(1);
  });

  it('durability - JSON of the wrong shape counts as corrupt', async () => {
    const { store: first } = await start();
    await first.close();
    const valid = JSON.parse(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dataDir, SNAPSHOT_FILE), JSON.stringify({ ...valid, watchers: [{ partition: 1, record: { presentity: 5 } }] }));
    const logger = recordingLogger();
    const { inspect } = await start({ logger });
    expect(logger.warnings).toHaveLength(1);
    expect(inspect.counts().watchers).toBe(0);
    expect((await readdir(dataDir)).some((name) => name.startsWith(`${SNAPSHOT_FILE}.corrupt-`))).toBe(true);
  });

  it('durability - an unreadable snapshot (a directory in its place) does not stop startup', async () => {
    await mkdir(join(dataDir, SNAPSHOT_FILE), { recursive: true });
    const logger = recordingLogger();
    const { store } = await start({ logger });
    expect(await store.ping()).toBe(true);
    expect(logger.warnings).toHaveLength(1);
    expect(await readdir(dataDir)).toEqual([`${SNAPSHOT_FILE}.corrupt-${T0}`]);
  });

  it('durability - the data directory is created, the snapshot written on close, no temporary file left', async () => {
    const { store } = await start();
    await store.replaceBindings('sip:alice@example.com', [binding('a', T0 + 90 * SECOND)]);
    expect(await readdir(dataDir)).toEqual([]);
    await store.close();
    expect(await readdir(dataDir)).toEqual([SNAPSHOT_FILE]);
    const written = JSON.parse(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')) as { bindings: unknown[]; savedAt: number };
    expect(written.bindings).toHaveLength(1);
    expect(written.savedAt).toBe(T0);
  });

  it('durability - a snapshot is written periodically, only when something changed', async () => {
    const { store } = await start({ snapshotIntervalMs: 10 });
    const path = join(dataDir, SNAPSHOT_FILE);
    const readWatchers = async (): Promise<number> => {
      try {
        return (JSON.parse(await readFile(path, 'utf8')) as { watchers: unknown[] }).watchers.length;
      } catch {
        return -1;
      }
    };
    await sleep(50);
    expect(await readWatchers()).toBe(-1);
    await store.putWatcher(1, watcher('sub-1', T0 + 60 * SECOND));
    await waitFor(async () => (await readWatchers()) === 1, 'the first periodic snapshot');
    await store.putWatcher(1, watcher('sub-2', T0 + 60 * SECOND));
    await waitFor(async () => (await readWatchers()) === 2, 'the second periodic snapshot');
  });

  it('durability - checkpoint writes at once', async () => {
    const { store, inspect } = await start();
    await store.saveDialog(dialog('d', T0 + 90 * SECOND));
    await inspect.checkpoint();
    expect((JSON.parse(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')) as { dialogs: unknown[] }).dialogs).toHaveLength(1);
  });
});
