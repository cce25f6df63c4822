import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ha1ForAll } from '@presence/auth';
import { systemClock } from '@presence/core';
import { createMemoryStore, createRedisStore, createUsersFileStore, USERS_FILE } from '@presence/store';
import {
  ALLOW_EVERY_WATCHER_ARGS,
  binaryGate,
  Children,
  eventually,
  freePort,
  freeUdpTcpPort,
  requireOrSkip,
  startPresenceProcess,
  startRedisServer,
  type RedisServerProcess,
} from '@presence/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** The real built `presence user …` as an operator runs it: a separate process, the password on stdin. */

const PRESENCE_BIN = fileURLToPath(new URL('../bin/presence.js', import.meta.url));

/** The environment without PRESENCE_* variables, so the machine's own settings do not leak into the command. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Children();

async function presenceUser(args: readonly string[], stdin?: string): Promise<Outcome> {
  const child = children.spawn(process.execPath, [PRESENCE_BIN, 'user', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv });
  child.process.stdin?.end(stdin ?? '');
  const { code } = await child.exit(15_000);
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

afterAll(async () => {
  await children.killAll();
});

describe('presence user on a data directory', () => {
  let dir: string;
  let dataDir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-user-'));
    dataDir = join(dir, 'data');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('data dir - add, passwd, disable, show, list and del, as the store API reads them', async () => {
    const at = ['--data-dir', dataDir];
    const added = await presenceUser(['add', 'alice@Example.com', ...at, '--display-name', 'Alice A'], 'first secret\nnot read\n');
    expect(added).toMatchObject({ code: 0, stdout: 'added sip:alice@example.com (realm example.com, enabled)\n' });
    expect((await presenceUser(['add', 'sip:bob@example.com', ...at, '--realm', 'corp', '--disable'], 'bob-pw\r\n')).code).toBe(0);

    const store = createUsersFileStore({ dataDir });
    expect(await store.user('sip:alice@example.com')).toEqual({
      aor: 'sip:alice@example.com',
      username: 'alice',
      realm: 'example.com',
      ha1: ha1ForAll('alice', 'example.com', 'first secret'),
      displayName: 'Alice A',
      enabled: true,
    });
    expect(await store.user('sip:bob@example.com')).toMatchObject({ realm: 'corp', enabled: false, ha1: ha1ForAll('bob', 'corp', 'bob-pw') });
    const file = await readFile(join(dataDir, USERS_FILE), 'utf8');
    expect(file).not.toContain('first secret');
    expect(file).not.toContain('bob-pw');

    expect(await presenceUser(['passwd', 'sip:alice@example.com', ...at], 'second secret\n')).toMatchObject({ code: 0 });
    expect((await store.user('sip:alice@example.com'))?.ha1).toEqual(ha1ForAll('alice', 'example.com', 'second secret'));
    expect(await presenceUser(['disable', 'sip:alice@example.com', ...at])).toMatchObject({ code: 0, stdout: 'disabled sip:alice@example.com\n' });
    expect(await presenceUser(['enable', 'sip:bob@example.com', ...at])).toMatchObject({ code: 0 });

    const listed = await presenceUser(['list', ...at]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toBe('sip:alice@example.com\texample.com\tdisabled\tAlice A\nsip:bob@example.com\tcorp\tenabled\t\n');
    const shown = await presenceUser(['show', 'sip:bob@example.com', ...at]);
    expect(shown).toMatchObject({ code: 0, stdout: 'aor: sip:bob@example.com\nusername: bob\nrealm: corp\nenabled: yes\ndisplay name: \n' });
    expect((await presenceUser(['show', 'sip:bob@example.com', ...at, '--show-ha1'])).stdout).toContain(`ha1 MD5: ${ha1ForAll('bob', 'corp', 'bob-pw').MD5}\n`);

    expect(await presenceUser(['del', 'sip:bob@example.com', ...at])).toMatchObject({ code: 0, stdout: 'deleted sip:bob@example.com\n' });
    // A second MemoryStore over the same directory (a server starting on it) has exactly the users left.
    const server = await createMemoryStore({ clock: systemClock, dataDir });
    try {
      expect((await server.listUsers(10)).map((u) => [u.aor, u.enabled])).toEqual([['sip:alice@example.com', false]]);
    } finally {
      await server.close();
    }
  });

  it('data dir - errors: one line naming the problem, exit 2 for usage, 1 for failures', async () => {
    const at = ['--data-dir', dataDir];
    expect(await presenceUser(['add', 'sip:alice@example.com', ...at], 'pw\n')).toMatchObject({ code: 0 });
    const cases: Array<[string[], string | undefined, number, RegExp]> = [
      [['add', 'sip:alice@example.com', ...at], 'pw\n', 1, /^presence: user sip:alice@example.com already exists/],
      [['passwd', 'sip:nobody@example.com', ...at], 'pw\n', 1, /^presence: no user sip:nobody@example.com\n$/],
      [['del', 'sip:nobody@example.com', ...at], undefined, 1, /^presence: no user sip:nobody@example.com\n$/],
      [['add', 'sip:carol@example.com', ...at], undefined, 1, /^presence: no password on stdin/],
      [['list', '--data-dir', join(dir, 'missing')], undefined, 1, /^presence: data directory .*missing does not exist\n$/],
      [['add', 'sip:example.com', ...at], 'pw\n', 2, /^presence: user add: sip:example.com has no user part/],
      [['add', 'sip:carol@example.com', 'pw', ...at], undefined, 2, /never given on the command line/],
      [['list'], undefined, 2, /^presence: user: name the store: --data-dir DIR/],
      [['show', 'sip:alice@example.com', '--realm', 'x', ...at], undefined, 2, /--realm does not apply/],
      [['rename', 'sip:alice@example.com', ...at], undefined, 2, /unknown command "rename"/],
    ];
    for (const [args, stdin, code, message] of cases) {
      const outcome = await presenceUser(args, stdin);
      expect({ args, code: outcome.code, stderr: outcome.stderr }).toEqual({ args, code, stderr: expect.stringMatching(message) });
      expect(outcome.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(await createUsersFileStore({ dataDir }).listUsers(10)).toHaveLength(1);
  });

  it('data dir - a running standalone server\'s store sees a user added by the command without restart, and the server never writes users back', async () => {
    const sip = await freeUdpTcpPort();
    const ws = await freePort('tcp');
    const server = await startPresenceProcess(children, 'standalone', 'standalone-users', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
      '--data-dir', dataDir, '--listen', `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip},ws:127.0.0.1:${ws}`, '--log-level', 'warn',
    ]);
    // A store over the server's directory that keeps running, as the server's does: it follows users.json.
    const watching = await createMemoryStore({ clock: systemClock, dataDir });
    try {
      expect(await watching.user('sip:alice@example.com')).toBeUndefined();
      expect((await presenceUser(['add', 'sip:alice@example.com', '--data-dir', dataDir], 'pw\n')).code).toBe(0);
      await eventually(async () => expect(await watching.user('sip:alice@example.com')).toMatchObject({ enabled: true }), { timeoutMs: 5_000, intervalMs: 50 });
      expect((await presenceUser(['disable', 'sip:alice@example.com', '--data-dir', dataDir])).code).toBe(0);
      await eventually(async () => expect(await watching.user('sip:alice@example.com')).toMatchObject({ enabled: false }), { timeoutMs: 5_000, intervalMs: 50 });

      // The server shuts down and writes its last snapshot: users.json stays as the command left it.
      const before = await readFile(join(dataDir, USERS_FILE), 'utf8');
      expect(await server.stop()).toBe(0);
      expect(await readFile(join(dataDir, USERS_FILE), 'utf8')).toBe(before);
      expect(await readFile(join(dataDir, 'memory-store.json'), 'utf8')).not.toContain('alice');
      expect((await readdir(dataDir)).sort()).toEqual(['memory-store.json', USERS_FILE]);
    } finally {
      await server.stop();
      await watching.close();
    }
  });
});

const runRedis = requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'Redis tier');

describe.runIf(runRedis)('presence user on Redis', () => {
  let redis: RedisServerProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
  }, 20_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('redis - add, list, show, passwd and del under the deployment\'s prefix, as the store API reads them', async () => {
    const at = ['--redis', redis.url, '--prefix', 'site1'];
    expect(await presenceUser(['add', 'sip:alice@example.com', ...at, '--display-name', 'Alice'], 'redis secret\n')).toMatchObject({ code: 0 });
    expect(await presenceUser(['add', 'sip:bob@example.com', ...at, '--disable'], 'bob\n')).toMatchObject({ code: 0 });
    const store = await createRedisStore({ url: redis.url, keyPrefix: 'site1:', clock: systemClock });
    const otherPrefix = await createRedisStore({ url: redis.url, clock: systemClock });
    try {
      expect(await store.user('sip:alice@example.com')).toEqual({
        aor: 'sip:alice@example.com',
        username: 'alice',
        realm: 'example.com',
        ha1: ha1ForAll('alice', 'example.com', 'redis secret'),
        displayName: 'Alice',
        enabled: true,
      });
      expect(await otherPrefix.listUsers(10)).toEqual([]);
      expect((await presenceUser(['list', ...at])).stdout).toBe('sip:alice@example.com\texample.com\tenabled\tAlice\nsip:bob@example.com\texample.com\tdisabled\t\n');
      expect((await presenceUser(['show', 'sip:alice@example.com', ...at])).stdout).toContain('display name: Alice\n');

      expect(await presenceUser(['passwd', 'sip:bob@example.com', ...at, '--enable'], 'bob2\n')).toMatchObject({ code: 0 });
      expect(await store.user('sip:bob@example.com')).toMatchObject({ enabled: true, ha1: ha1ForAll('bob', 'example.com', 'bob2') });
      expect(await presenceUser(['del', 'sip:alice@example.com', ...at])).toMatchObject({ code: 0 });
      expect((await store.listUsers(10)).map((u) => u.aor)).toEqual(['sip:bob@example.com']);
      expect(await presenceUser(['show', 'sip:alice@example.com', ...at])).toMatchObject({ code: 1, stderr: 'presence: no user sip:alice@example.com\n' });
    } finally {
      await store.close();
      await otherPrefix.close();
    }
  });

  it('redis - an unreachable Redis is a failure (exit 1) naming it, quickly', async () => {
    const port = await freePort('tcp');
    const started = Date.now();
    const outcome = await presenceUser(['list', '--redis', `redis://127.0.0.1:${port}`]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(new RegExp(`^presence: cannot reach Redis at redis://127.0.0.1:${port}: .*ECONNREFUSED.*\\n$`));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
