import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALLOW_EVERY_WATCHER_ARGS, Children, createTestCertificate, createTestUa, eventually, rawTls, startLine, type Child, type TestCertificate, type TestUa } from '@presence/testkit';
import { pidf } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { answer200, bodyOf, responseAndRequest, securePeer, sipRequest, type SecurePeer } from './secure-peer.js';

/**
 * The real `presence standalone` process (built dist/: `npx tsc -b` first)
 * with tls and wss listeners: the openssl command against it, and SIGHUP.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';
const DOMAIN = 'example.com';

interface Running {
  readonly child: Child;
  readonly port: (transport: string) => number;
}

describe('presence standalone over tls and wss', () => {
  const children = new Children();
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await children.killAll();
  });

  function presence(args: readonly string[]): Child {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
    return children.spawn(process.execPath, [BIN, 'standalone', ...ALLOW_EVERY_WATCHER_ARGS, ...args], { cwd: ROOT, env });
  }

  /** Every listener on port 0; the ports come from the "listening" log line. */
  async function start(certificate: TestCertificate): Promise<Running> {
    const child = presence([
      '--listen', 'udp:127.0.0.1:0,tls:127.0.0.1:0,wss:127.0.0.1:0',
      '--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile,
      '--domain', DOMAIN, '--http', 'off', '--log-level', 'info', '--auth', 'none',
    ]);
    let sip: { transport: string; port: number }[] = [];
    await eventually(
      () => {
        expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
        const line = logLines(child).find((l) => l.msg === 'standalone presence server listening');
        expect(line).toBeDefined();
        sip = line!.sip as typeof sip;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    return { child, port: (transport) => sip.find((l) => l.transport === transport)!.port };
  }

  async function peer(transport: 'tls' | 'wss', server: Running, ca: string): Promise<SecurePeer> {
    const connected = await securePeer(transport, server.port(transport), ca);
    closing.push(() => connected.close());
    return connected;
  }

  /** A watcher of `presentity` on `client`, initial NOTIFY answered. */
  async function watch(client: SecurePeer, transport: 'tls' | 'wss', presentity: string): Promise<void> {
    client.send(
      sipRequest('SUBSCRIBE', presentity, {
        Via: `SIP/2.0/${transport.toUpperCase()} client.invalid;branch=z9hG4bK-${transport}-watch`,
        'Max-Forwards': '70',
        From: `<sip:watcher-${transport}@${DOMAIN}>;tag=w-${transport}`,
        To: `<${presentity}>`,
        'Call-ID': `watch-${transport}`,
        CSeq: '1 SUBSCRIBE',
        Contact: `<sip:watcher@client.invalid;transport=${transport === 'wss' ? 'ws' : 'tls'}>`,
        Event: 'presence',
        Expires: '600',
      }),
    );
    const { response, request } = await responseAndRequest(client);
    expect(startLine(response)).toBe('SIP/2.0 200 OK');
    client.send(answer200(request));
  }

  async function opensslConnect(port: number, args: readonly string[]): Promise<{ code: number | null; output: string }> {
    const child = children.spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-brief', ...args]);
    const { code } = await child.exit(15_000);
    return { code, output: child.stdout() + child.stderr() };
  }

  it('openssl s_client - verifies the certificate over tls and wss with TLS 1.2+; a TLS 1.1-only client is refused', async () => {
    const certificate = createTestCertificate();
    onTestFinished(() => certificate.remove());
    const server = await start(certificate);
    for (const transport of ['tls', 'wss']) {
      const verified = await opensslConnect(server.port(transport), ['-CAfile', certificate.certFile, '-verify_return_error']);
      expect(verified.code, verified.output).toBe(0);
      expect(verified.output).toContain('Verification: OK');
      expect(verified.output).toMatch(/Protocol version: TLSv1\.3/);
      const tls12 = await opensslConnect(server.port(transport), ['-tls1_2']);
      expect(tls12.output).toMatch(/Protocol version: TLSv1\.2/);
      // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all: the refusal is the server's.
      const old = await opensslConnect(server.port(transport), ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
      expect(old.code, old.output).not.toBe(0);
      expect(old.output).toMatch(/alert protocol version/);
    }
    expect(server.child.exited()).toBe(false);
  });

  it('SIGHUP - new connections get the new certificate, established tls and wss connections stay and get NOTIFYs; a bad file keeps the old one; never exits', async () => {
    const first = createTestCertificate();
    const second = createTestCertificate();
    onTestFinished(() => [first, second].forEach((c) => c.remove()));
    const server = await start(first);
    const presentity = `sip:grace@${DOMAIN}`;
    const tlsWatcher = await peer('tls', server, first.cert);
    const wssWatcher = await peer('wss', server, first.cert);
    expect([tlsWatcher.fingerprint, wssWatcher.fingerprint]).toEqual([first.fingerprint, first.fingerprint]);
    await watch(tlsWatcher, 'tls', presentity);
    await watch(wssWatcher, 'wss', presentity);

    copyFileSync(second.certFile, first.certFile);
    copyFileSync(second.keyFile, first.keyFile);
    server.child.process.kill('SIGHUP');
    await eventually(() => expect(logLines(server.child).some((l) => l.msg === 'reloaded' && l.fingerprint === second.fingerprint)).toBe(true), { timeoutMs: 10_000 });

    const fresh = await rawTls(server.port('tls'));
    closing.push(() => fresh.close());
    expect(fresh.socket.getPeerX509Certificate()?.fingerprint256).toBe(second.fingerprint);
    expect((await peer('wss', server, second.cert)).fingerprint).toBe(second.fingerprint);

    const publisher: TestUa = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: server.port('udp') }, aor: presentity });
    closing.push(() => publisher.close());
    const published = await publisher.request('PUBLISH', { headers: { Event: 'presence', 'Content-Type': 'application/pidf+xml' }, body: pidf(presentity, [{ id: 'g', basic: 'open' }]) });
    expect(published.status).toBe(200);
    for (const watcher of [tlsWatcher, wssWatcher]) {
      const notify = await watcher.next();
      expect(startLine(notify)).toMatch(/^NOTIFY /);
      expect(bodyOf(notify)).toContain('<basic>open</basic>');
      watcher.send(answer200(notify));
    }

    writeFileSync(first.certFile, 'not a certificate\n');
    server.child.process.kill('SIGHUP');
    await eventually(() => expect(logLines(server.child).some((l) => l.msg === 'reload failed: the previous configuration stays')).toBe(true), { timeoutMs: 10_000 });
    expect(server.child.stderr()).toContain(`--tls-cert ${first.certFile}: certificate: `);
    const after = await rawTls(server.port('tls'));
    closing.push(() => after.close());
    expect(after.socket.getPeerX509Certificate()?.fingerprint256).toBe(second.fingerprint);

    expect(server.child.exited()).toBe(false);
    server.child.process.kill('SIGTERM');
    expect(await server.child.exit(10_000)).toEqual({ code: 0, signal: null });
  });

  it('start-up - a tls listener without --tls-cert, or an unreadable file, exits 2 naming the option and the file', async () => {
    const missing = presence(['--listen', 'udp:127.0.0.1:0,tls:127.0.0.1:0', '--http', 'off']);
    expect((await missing.exit(10_000)).code).toBe(2);
    expect(missing.stderr()).toBe('presence: --tls-cert FILE is required by the tls listener in --listen\n');
    const unreadable = presence(['--listen', 'wss:127.0.0.1:0', '--http', 'off', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']);
    expect((await unreadable.exit(10_000)).code).toBe(2);
    expect(unreadable.stderr()).toBe('presence: --tls-cert /nonexistent/cert.pem: cannot read it (ENOENT)\n');
  });
});

/** The JSON log lines on the child's stderr. */
function logLines(child: Child): Record<string, unknown>[] {
  return child
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
