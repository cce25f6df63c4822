import { randomBytes } from 'node:crypto';
import type { XcapDocumentRef } from '@presence/core';
import { binaryGate, requireOrSkip, startRedisServer, type RedisServerProcess } from '@presence/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from './corrupt-record-error.js';
import { RedisKeys } from './redis-keys.js';
import { type RedisStore, createRedisStore } from './redis-store.js';

/** What the contract cannot see: where XCAP documents live in Redis, that they never expire, and how a foreign value reads. */

const runRedis = requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'Redis tier');

const ALICE = 'sip:alice@example.com';
const rules: XcapDocumentRef = { auid: 'pres-rules', scope: 'users', owner: ALICE, filename: 'index' };
const caps: XcapDocumentRef = { auid: 'xcap-caps', scope: 'global', owner: '', filename: 'index' };

describe.runIf(runRedis)('RedisStore XCAP documents', () => {
  let server: RedisServerProcess;
  let store: RedisStore;
  let raw: Redis;
  let keyPrefix: string;

  beforeAll(async () => {
    server = await startRedisServer();
    keyPrefix = `test:${randomBytes(4).toString('hex')}:`;
    store = await createRedisStore({ url: server.url, clock: { now: () => Date.now() }, keyPrefix });
    raw = new Redis(server.url);
  }, 20_000);

  afterAll(async () => {
    raw?.disconnect();
    await store?.close();
    await server?.stop();
  });

  it('xcap keys - one hash per owner tagged by its AOR (the presentity\'s slot), the global tree apart, no TTL', async () => {
    const put = await store.putXcapDocument(rules, '<ruleset/>');
    await store.putXcapDocument(caps, '<xcap-caps/>');
    if (!put.ok) throw new Error('put failed');
    expect(await raw.hgetall(`${keyPrefix}xcap:{${ALICE}}`)).toEqual({ 'pres-rules/index': `${put.etag}\n<ruleset/>` });
    expect(await raw.hkeys(`${keyPrefix}xcap:{global}`)).toEqual(['xcap-caps/index']);
    expect(await raw.pttl(`${keyPrefix}xcap:{${ALICE}}`)).toBe(-1);
    expect(await raw.pttl(`${keyPrefix}xcap:{global}`)).toBe(-1);
    // The same hash tag as the presentity's keys, so the same cluster slot (the cluster contract run exercises it for real).
    expect(new RedisKeys(keyPrefix).presentity(ALICE)).toContain(`{${ALICE}}`);
    expect(new RedisKeys(keyPrefix).xcapDocuments('users', ALICE)).toContain(`{${ALICE}}`);
  });

  it('xcap keys - a deleted last document leaves no key behind', async () => {
    const owner = 'sip:gone@example.com';
    await store.putXcapDocument({ ...rules, owner }, '<ruleset/>');
    await store.deleteXcapDocument({ ...rules, owner });
    expect(await raw.exists(`${keyPrefix}xcap:{${owner}}`)).toBe(0);
  });

  it('xcap errors - a value this code did not write is a CorruptRecordError naming the key', async () => {
    const owner = 'sip:corrupt@example.com';
    await raw.hset(`${keyPrefix}xcap:{${owner}}`, 'pres-rules/index', 'no entity tag here');
    await expect(store.xcapDocument({ ...rules, owner })).rejects.toBeInstanceOf(CorruptRecordError);
    await expect(store.xcapDocument({ ...rules, owner })).rejects.toThrow(`xcap:{${owner}}`);
  });
});
