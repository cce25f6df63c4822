import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ALLOW_EVERY_WATCHER_ARGS, type Child, Children, createTestUa, eventually, freePort, freeUdpTcpPort, httpGet, metricValue, type TestUa } from '@presence/testkit';
import type { SipResponse } from '@presence/sip';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The real `presence` command as an operator runs it: a child process of
 * services/cli/bin/presence.js (built dist/, so run `npx tsc -b` first).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';
/** Every option of `presence standalone`; the names are a contract (add, never rename). */
const STANDALONE_OPTION_NAMES = [
  'listen',
  'domain',
  'advertised-host',
  'notify-min-interval',
  'notify-keepalive-min-interval',
  'min-expires',
  'max-expires',
  'default-expires',
  'partitions',
  'sip-t1',
  'sip-max-connections',
  'sip-max-connections-per-address',
  'sip-header-timeout',
  'sip-idle-timeout',
  'sip-max-write-queue',
  'max-contacts-per-aor',
  'max-message-bytes',
  'offline-messages-per-user',
  'offline-message-ttl',
  'offline-sweep-interval',
  'message-exploder-user',
  'max-publications-per-presentity',
  'max-presence-document-bytes',
  'max-subscriptions-per-watcher',
  'max-subscriptions-per-address',
  'rate-limit',
  'rate-limit-burst',
  'rate-limit-udp',
  'rate-limit-exempt',
  'overload-event-loop-lag',
  'overload-pending',
  'overload-retry-after',
  'server-header',
  'no-server-header',
  'tls-cert',
  'tls-key',
  'auth',
  'insecure',
  'realm',
  'auth-algorithms',
  'nonce-lifetime',
  'nonce-key-file',
  'auth-max-failures',
  'auth-lockout',
  'data-dir',
  'workers',
  'http',
  'id',
  'log-level',
  'log-level-file',
  'admin-token-file',
  'hep',
  'hep-id',
  'sip-trace',
];
/** Options that keep a misbehaving run off fixed ports: a parse that wrongly succeeds binds only ephemeral ports. */
const EPHEMERAL = ['--listen', 'udp:127.0.0.1:0', '--http', 'off', '--log-level', 'warn'];

describe('presence command', () => {
  const children = new Children();
  let ua: TestUa | undefined;
  let blocker: Server | undefined;

  afterEach(async () => {
    await ua?.close();
    ua = undefined;
    await children.killAll();
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  /** The environment without PRESENCE_* variables of whoever runs the tests, plus `extra`. */
  function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
    return { ...env, ...extra };
  }

  function presence(args: readonly string[], env: Record<string, string> = {}): Child {
    return children.spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env) });
  }

  /** Runs to completion (bounded) and returns the exit code with the output. */
  async function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = presence(args, env);
    const { code } = await child.exit(10_000);
    return { code, stdout: child.stdout(), stderr: child.stderr() };
  }

  /** `presence standalone` on free UDP+TCP and HTTP ports, once /readyz answers 200. */
  async function startStandalone(args: readonly string[] = []): Promise<{ child: Child; sip: number; base: string }> {
    const sip = await freeUdpTcpPort();
    const http = await freePort('tcp');
    const base = `http://127.0.0.1:${http}`;
    const child = presence(['standalone', ...ALLOW_EVERY_WATCHER_ARGS, '--listen', `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip}`, '--http', `127.0.0.1:${http}`, '--log-level', 'warn', ...args]);
    await eventually(
      async () => {
        expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
        expect((await httpGet(`${base}/readyz`, 1000)).status).toBe(200);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    return { child, sip, base };
  }

  /** The response to an OPTIONS over `transport`. */
  async function options(sip: number, transport: 'udp' | 'tcp'): Promise<SipResponse> {
    ua = await createTestUa({ transport, server: { host: '127.0.0.1', port: sip }, aor: `sip:cli-${transport}@example.com` });
    const response = await ua.request('OPTIONS', { uri: 'sip:example.com' });
    await ua.close();
    ua = undefined;
    return response;
  }

  it('cli - standalone serves SIP and ops HTTP, counts an OPTIONS, and exits 0 on SIGTERM', async () => {
    const { child, sip, base } = await startStandalone();
    const health = await httpGet(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', role: 'standalone' });

    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const transport of ['udp', 'tcp'] as const) {
      const response = await options(sip, transport);
      expect(response.status).toBe(200);
      expect(response.header('server')).toBe(`sip-presence/${version}`);
    }
    const metrics = await httpGet(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('presence_sip_requests_total');
    expect(metricValue(metrics.body, 'presence_sip_requests_total', { method: 'OPTIONS' })).toBe(2);

    const started = Date.now();
    child.process.kill('SIGTERM');
    const exit = await child.exit(5000);
    expect(exit, `stderr: ${child.stderr()}`).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(httpGet(`${base}/healthz`, 1000)).rejects.toThrow();
  });

  it('cli - --server-header names our Server; --no-server-header sends none', async () => {
    const named = await startStandalone(['--server-header', 'acme-presence/2.1 (lab)']);
    expect((await options(named.sip, 'udp')).header('server')).toBe('acme-presence/2.1 (lab)');
    const off = await startStandalone(['--no-server-header']);
    const response = await options(off.sip, 'udp');
    expect(response.status).toBe(200);
    expect(response.header('server')).toBeUndefined();
  });

  it('cli - standalone authenticates by default: a REGISTER is challenged (SHA-256, then MD5); --auth none serves it and warns', async () => {
    const secure = await startStandalone();
    ua = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: secure.sip }, aor: 'sip:cli@example.com' });
    const challenged = await ua.request('REGISTER', { expires: 60 });
    expect(challenged.status).toBe(401);
    expect(challenged.headerLines('www-authenticate').map((line) => /algorithm=([\w-]+)/.exec(line)?.[1])).toEqual(['SHA-256', 'MD5']);
    await ua.close();
    ua = undefined;

    const open = await startStandalone(['--auth', 'none']);
    ua = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: open.sip }, aor: 'sip:cli@example.com' });
    expect((await ua.request('REGISTER', { expires: 60 })).status).toBe(200);
    expect(open.child.stderr()).toContain('authentication is off (--auth none)');
    expect(secure.child.stderr()).not.toContain('authentication is off');
  });

  it('cli - --auth none with a listen address other than loopback exits 2 naming it and --insecure', async () => {
    const result = await run(['standalone', '--auth', 'none', '--listen', 'udp:127.0.0.1:0,tcp:0.0.0.0:0', '--http', 'off', '--log-level', 'warn']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('presence: --auth none: refusing to serve without authentication on tcp:0.0.0.0:0 (not loopback); add --insecure');
  });

  it('cli - a malformed option value exits 2 naming the option', async () => {
    const result = await run(['standalone', '--partitions', 'zero', ...EPHEMERAL]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^presence: --partitions: /);
    expect(result.stderr).toContain('"zero"');
  });

  it('cli - an option value below its minimum exits 2 naming the option', async () => {
    const result = await run(['standalone', '--partitions', '0', ...EPHEMERAL]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--partitions');
  });

  it('cli - an unknown role exits 2 with the usage', async () => {
    const result = await run(['bogus-role']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('unknown role "bogus-role"');
    expect(result.stderr).toContain('usage: presence ROLE');
    expect(result.stderr).toContain('standalone');
  });

  it('cli - standalone --help exits 0 and lists every option with its environment variable', async () => {
    const result = await run(['standalone', '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('usage: presence standalone');
    for (const name of STANDALONE_OPTION_NAMES) {
      expect(result.stdout, `--${name} missing from help`).toMatch(new RegExp(`^  --${name}\\b`, 'm'));
      expect(result.stdout).toContain(`env PRESENCE_${name.toUpperCase().replace(/-/g, '_')}`);
    }
    expect(result.stdout).toContain('--notify-min-interval SECONDS');
    expect(result.stdout).toContain('--data-dir DIR');
    expect(result.stderr).toBe('');
  });

  it('cli - an environment variable is validated like its flag: exit 2 naming the option', async () => {
    const result = await run(['standalone', ...EPHEMERAL], { PRESENCE_NOTIFY_MIN_INTERVAL: 'abc' });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--notify-min-interval');
    expect(result.stderr).toContain('"abc"');
  });

  it('cli - a SIP port already in use exits 1 naming the address', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => {
      blocker!.listen({ host: '127.0.0.1', port: 0 }, () => resolve((blocker!.address() as { port: number }).port));
    });
    const result = await run(['standalone', '--listen', `tcp:127.0.0.1:${port}`, '--http', 'off', '--log-level', 'warn']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(result.stderr).toContain('EADDRINUSE');
  });

  it('cli - an HTTP port already in use exits 1 naming the address', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => {
      blocker!.listen({ host: '127.0.0.1', port: 0 }, () => resolve((blocker!.address() as { port: number }).port));
    });
    const result = await run(['standalone', '--listen', 'udp:127.0.0.1:0', '--http', `127.0.0.1:${port}`, '--log-level', 'warn']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(result.stderr).toContain('HTTP');
  });
});
