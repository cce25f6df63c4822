import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../offline-messages.contract.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import { OFFLINE_MESSAGES_DIR } from './offline-message-files.js';

/** Offline messages in a data directory outlive the process at every point: no snapshot, no close needed. */
describe('MemoryStore offline messages on disk', () => {
  const clock = { now: () => 1_800_000_000_000 };
  const limits = { maxMessages: 500, ttlMs: 60_000 };
  let dataDir: string;
  const open: MemoryStore[] = [];
  const openStore = async (): Promise<MemoryStore> => {
    const store = await createMemoryStore({ clock, dataDir });
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'offline-'));
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close(); // one at a time: they share the snapshot file
    await rm(dataDir, { recursive: true, force: true });
  });

  it('offline files - messages stored by a store never closed (a killed process) are read back in order by the next one', async () => {
    const first = await openStore();
    for (let n = 1; n <= 12; n++) await first.storeOfflineMessage('sip:bob@example.com', message(n), limits);
    const second = await openStore();
    const { messages } = await second.offlineMessages('sip:bob@example.com', 100);
    expect(messages.map((m) => m.cseq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await second.removeOfflineMessage('sip:bob@example.com', messages[0]!.id);
    const stored = await second.storeOfflineMessage('sip:bob@example.com', message(13), limits);
    expect(stored.stored && Number(stored.id)).toBeGreaterThan(Number(messages[11]!.id));
    const third = await openStore();
    expect((await third.offlineMessages('sip:bob@example.com', 100)).messages.map((m) => m.cseq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(await third.offlineRecipients(10)).toEqual(['sip:bob@example.com']);
  });

  it('offline files - a file written before bodies were bytes (body as text, no bodyEncoding) still loads; a binary body survives a restart', async () => {
    const first = await openStore();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await first.storeOfflineMessage('sip:bob@example.com', message(1, { body: all }), limits);
    const old = { recipient: 'sip:bob@example.com', ...message(2), body: 'hé ✓', id: '0000000000000050', storedAt: clock.now(), expiresAt: clock.now() + 60_000 };
    await writeFile(join(dataDir, OFFLINE_MESSAGES_DIR, '0000000000000050.json'), JSON.stringify(old));
    const second = await openStore();
    const [binary, text] = (await second.offlineMessages('sip:bob@example.com', 10)).messages;
    expect(Buffer.compare(Buffer.from(binary!.body), all)).toBe(0);
    expect(Buffer.from(text!.body).toString('utf8')).toBe('hé ✓');
  });

  it('offline files - an unreadable file is set aside and the others load', async () => {
    const first = await openStore();
    await first.storeOfflineMessage('sip:bob@example.com', message(1), limits);
    await writeFile(join(dataDir, OFFLINE_MESSAGES_DIR, '0000000000000099.json'), '{"broken"');
    const second = await openStore();
    expect((await second.offlineMessages('sip:bob@example.com', 10)).messages.map((m) => m.cseq)).toEqual([1]);
    expect((await readdir(join(dataDir, OFFLINE_MESSAGES_DIR))).some((name) => name.includes('.corrupt-'))).toBe(true);
  });
});
