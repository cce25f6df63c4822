import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XcapDocumentRef } from '@presence/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';
import { type MemoryStore, SNAPSHOT_FILE } from './memory-store.js';

/** XCAP documents are durable state: in the snapshot file before a change is acknowledged, back with their entity tags after a restart. */

const clock = { now: () => 1_800_000_000_000 };
const rules: XcapDocumentRef = { auid: 'pres-rules', scope: 'users', owner: 'sip:alice@example.com', filename: 'index' };
const caps: XcapDocumentRef = { auid: 'xcap-caps', scope: 'global', owner: '', filename: 'index' };

describe('MemoryStore XCAP document durability', () => {
  let dataDir: string;
  const open: MemoryStore[] = [];

  async function start(): Promise<MemoryStore> {
    // A snapshot interval far beyond the test: only the write made by the change itself can put it on disk.
    const { store } = await openMemoryStoreForTest({ clock, dataDir, snapshotIntervalMs: 3_600_000 });
    open.push(store);
    return store;
  }

  async function snapshotDocuments(): Promise<unknown> {
    return (JSON.parse(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')) as { xcapDocuments?: unknown }).xcapDocuments;
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'memory-store-xcap-'));
  });

  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((store) => store.close()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('xcap durability - a put is in the snapshot file once it resolves, without waiting for the periodic write', async () => {
    const store = await start();
    const put = await store.putXcapDocument(rules, '<ruleset/>');
    if (!put.ok) throw new Error('put failed');
    expect(await snapshotDocuments()).toEqual([{ ...rules, body: '<ruleset/>', etag: put.etag }]);
  });

  it('xcap durability - a delete is in the snapshot file once it resolves', async () => {
    const store = await start();
    await store.putXcapDocument(rules, '<ruleset/>');
    await store.putXcapDocument(caps, '<xcap-caps/>');
    expect(await store.deleteXcapDocument(rules)).toEqual({ ok: true });
    expect(await snapshotDocuments()).toEqual([expect.objectContaining({ ...caps, body: '<xcap-caps/>' })]);
  });

  it('xcap durability - documents come back after a restart with their entity tags, so clients\' If-Match still works', async () => {
    const first = await start();
    const put = await first.putXcapDocument(rules, '<ruleset/>');
    await first.putXcapDocument(caps, '<xcap-caps/>');
    await first.close();
    if (!put.ok) throw new Error('put failed');
    const second = await start();
    expect(await second.xcapDocument(rules)).toEqual({ body: '<ruleset/>', etag: put.etag });
    expect(await second.listXcapDocuments('global', '', 10)).toEqual([caps]);
    expect(await second.putXcapDocument(rules, '<ruleset><rule id="a"/></ruleset>', { ifMatch: put.etag })).toMatchObject({ ok: true, created: false });
  });

  it('xcap durability - a snapshot written before XCAP documents existed loads with none', async () => {
    await writeFile(join(dataDir, SNAPSHOT_FILE), JSON.stringify({ format: 'presence-memory-store', formatVersion: 1, savedAt: 0, presentities: [], watchers: [], bindings: [], dialogs: [] }));
    const store = await start();
    expect(await store.listXcapDocuments('users', rules.owner, 10)).toEqual([]);
    await store.putXcapDocument(rules, '<ruleset/>');
    expect(await store.xcapDocument(rules)).toMatchObject({ body: '<ruleset/>' });
  });

  it('xcap durability - service URI claims are in the snapshot once made, and come back after a restart (RFC 4826 §4.4.5 holds across it)', async () => {
    const services: XcapDocumentRef = { auid: 'rls-services', scope: 'users', owner: 'sip:alice@example.com', filename: 'index' };
    const first = await start();
    expect(await first.claimXcapServiceUri('sip:friends@example.com', services, 42)).toEqual({ ok: true });
    const written = JSON.parse(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')) as { xcapServiceClaims?: unknown[] };
    expect(written.xcapServiceClaims).toHaveLength(1);
    await first.close();
    const second = await start();
    expect(await second.xcapServiceClaim('sip:friends@example.com')).toEqual({ holder: services, claimedAt: 42 });
    expect(await second.claimXcapServiceUri('sip:friends@example.com', { ...services, owner: 'sip:bob@example.com' }, 43)).toMatchObject({ ok: false });
  });
});

