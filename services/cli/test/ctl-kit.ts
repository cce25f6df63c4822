import { fileURLToPath } from 'node:url';
import { ALLOW_EVERY_WATCHER_ARGS, type Child, Children, createTestUa, eventually, freePort, freeUdpTcpPort, httpGet, type TestUa } from '@presence/testkit';
import { pidf, publish } from '@presence/testkit/behaviour';
import { expect } from 'vitest';

export const ALICE = 'sip:alice@example.com';
export const BOB = 'sip:bob@example.com';

/** State for every ctl read: alice registered and published, bob watching her. */
export interface PresenceScene {
  readonly alice: TestUa;
  readonly bob: TestUa;
  /** SIP-ETag of alice's publication. */
  readonly etag: string;
  /** Call-ID of bob's SUBSCRIBE. */
  readonly subscribeCallId: string;
  close(): Promise<void>;
}

/** alice (UDP) registers and publishes "open" with `note`; bob (on `bobTransport`) subscribes and gets the first NOTIFY. */
export async function presenceScene(sipPort: number, bobTransport: 'udp' | 'tcp', note?: string): Promise<PresenceScene> {
  const server = { host: '127.0.0.1', port: sipPort };
  const alice = await createTestUa({ transport: 'udp', server, aor: ALICE });
  const bob = await createTestUa({ transport: bobTransport, server, aor: BOB });
  const close = async () => {
    await alice.close();
    await bob.close();
  };
  try {
    expect((await alice.request('REGISTER', { expires: 300 })).status).toBe(200);
    const published = await publish(alice, ALICE, { body: pidf(ALICE, [{ id: 't1', basic: 'open', note }]), expires: 300 });
    expect(published.status).toBe(200);
    const { response, dialog } = await bob.subscribe(ALICE, { expires: 300 });
    expect(response.status).toBe(200);
    await dialog.nextNotify();
    return { alice, bob, etag: published.header('sip-etag')!, subscribeCallId: dialog.callId, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The real `presence` command (built dist/: run `npx tsc -b` first), as an operator runs it. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without PRESENCE_* variables of whoever runs the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
}

export function spawnPresence(children: Children, args: readonly string[]): Child {
  return children.spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv() });
}

/** Runs `presence ARGS` to its end (bounded). */
export async function runPresence(children: Children, args: readonly string[]): Promise<Ran> {
  const child = spawnPresence(children, args);
  const { code } = await child.exit(20_000);
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** `presence ctl ARGS --url URL`, expecting success: the parsed JSON it printed. */
export async function ctlJson(children: Children, url: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const ran = await runPresence(children, ['ctl', ...args, '--url', url]);
  expect(ran.code, `presence ctl ${args.join(' ')}: ${ran.stderr}`).toBe(0);
  return JSON.parse(ran.stdout) as Record<string, unknown>;
}

export interface StartedStandalone {
  readonly child: Child;
  readonly sipPort: number;
  readonly httpPort: number;
  /** http://127.0.0.1:PORT whatever --http binds. */
  readonly url: string;
}

/** `presence standalone` on free ports, once /readyz answers; `httpHost` is what --http binds. */
export async function startStandaloneProcess(children: Children, args: readonly string[] = [], httpHost = '127.0.0.1'): Promise<StartedStandalone> {
  const sipPort = await freeUdpTcpPort();
  const httpPort = await freePort('tcp');
  const url = `http://127.0.0.1:${httpPort}`;
  const child = spawnPresence(children, [
    'standalone',
    '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
    '--http', `${httpHost}:${httpPort}`,
    '--domain', 'example.com',
    '--log-level', 'warn',
    '--auth', 'none', // these tests are about operating the server; authentication has its own
    ...ALLOW_EVERY_WATCHER_ARGS,
    ...args,
  ]);
  await eventually(
    async () => {
      expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
      expect((await httpGet(`${url}/readyz`, 1000)).status).toBe(200);
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return { child, sipPort, httpPort, url };
}
