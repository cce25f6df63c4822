import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDigestCredentials, responseMatches } from '@presence/auth';
import { systemClock } from '@presence/core';
import { parseAuthHeader } from '@presence/sip';
import { createRedisStore, createUsersFileStore } from '@presence/store';
import { binaryGate, requireOrSkip, startRedisServer } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { DigestNonces } from '../worker/digest-nonces.js';
import { presentityUser, watcherUser } from '../worker/workload-grid.js';
import { benchUserRecords, benchUsers, writeUsersToDataDir, writeUsersToRedis } from './bench-users.js';

const runRedis = requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'Redis tier');

describe('bench users', () => {
  const users = benchUsers('lt1', '127.0.0.1', 3, 2);

  it('records - one user per publisher and watcher AOR of the grid, realm the domain, enabled', () => {
    const records = benchUserRecords(users);
    expect(records.map((r) => r.aor)).toEqual([
      ...[0, 1, 2].map((p) => `sip:${presentityUser('lt1', p)}@127.0.0.1`),
      ...[0, 1, 2, 3, 4, 5].map((s) => `sip:${watcherUser('lt1', s)}@127.0.0.1`),
    ]);
    expect(records[0]).toMatchObject({ username: 'lt1p0', realm: '127.0.0.1', enabled: true });
    expect(benchUsers('lt1', '127.0.0.1', 3, 2).password).not.toBe(users.password);
  });

  it('records - what a worker answers with the run password is what the server checks against the stored HA1', () => {
    const [publisher] = benchUserRecords(users);
    const nonces = new DigestNonces(users.password);
    for (const algorithm of ['SHA-256', 'MD5'] as const) {
      expect(nonces.adopt(publisher!.aor, [`Digest realm="127.0.0.1", nonce="n-${algorithm}", algorithm=${algorithm}, qop="auth"`])).toEqual({ stale: false });
      const credentials = readDigestCredentials(parseAuthHeader(nonces.authorization(publisher!.aor, 'PUBLISH', publisher!.aor)!).params);
      expect(credentials).toMatchObject({ algorithm, username: 'lt1p0', realm: '127.0.0.1' });
      expect(responseMatches(credentials, 'PUBLISH', publisher!.ha1[algorithm])).toBe(true);
    }
  });

  it('data directory - users.json holds every user, written at once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-users-'));
    try {
      await writeUsersToDataDir(dataDir, users);
      const store = createUsersFileStore({ dataDir });
      expect(await store.listUsers(100)).toHaveLength(9);
      const [first] = benchUserRecords(users);
      expect(await store.user(first!.aor)).toEqual(first);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it.runIf(runRedis)('redis - every user is in the cluster store', async () => {
    const redis = await startRedisServer();
    try {
      await writeUsersToRedis(redis.url, users);
      const store = await createRedisStore({ url: redis.url, clock: systemClock });
      try {
        expect(await store.listUsers(100)).toEqual(benchUserRecords(users).sort((a, b) => (a.aor < b.aor ? -1 : 1)));
      } finally {
        await store.close();
      }
    } finally {
      await redis.stop();
    }
  }, 20_000);
});
