import { fileURLToPath } from 'node:url';
import { ALLOW_EVERY_WATCHER_ARGS, type Child, Children, createTestUa, eventually, freePort, freeUdpTcpPort, httpGet, metricValue, rawTcp, requestText, startLine, type RawTcp, type TestUa } from '@presence/testkit';
import { pidf, publish } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it } from 'vitest';

/** The real `presence standalone` process with small connection limits set by its options (built dist/: `npx tsc -b` first). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';

describe('connection limits of presence standalone', () => {
  const children = new Children();
  const closing: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await children.killAll();
  });

  async function start(args: readonly string[]): Promise<{ child: Child; sip: number; base: string }> {
    const sip = await freeUdpTcpPort();
    const http = await freePort('tcp');
    const base = `http://127.0.0.1:${http}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
    const listen = `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip}`;
    const child = children.spawn(process.execPath, [BIN, 'standalone', ...ALLOW_EVERY_WATCHER_ARGS, '--listen', listen, '--http', `127.0.0.1:${http}`, '--auth', 'none', '--log-level', 'warn', ...args], { cwd: ROOT, env });
    await eventually(
      async () => {
        expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
        expect((await httpGet(`${base}/readyz`, 1000)).status).toBe(200);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    return { child, sip, base };
  }

  async function ua(name: string, transport: 'udp' | 'tcp', port: number): Promise<TestUa> {
    const agent = await createTestUa({ transport, server: { host: '127.0.0.1', port }, aor: `sip:${name}@example.com` });
    closing.push(() => agent.close());
    return agent;
  }

  async function raw(port: number): Promise<RawTcp> {
    const socket = await rawTcp(port);
    closing.push(() => socket.close());
    return socket;
  }

  async function metric(base: string, name: string, reason: string): Promise<number | undefined> {
    return metricValue((await httpGet(`${base}/metrics`)).body, name, { reason });
  }

  it('limits - slow and silent connections are closed, a subscriber stays and gets NOTIFYs, the connection past the per-address limit is refused; each counted', async () => {
    const { base, sip } = await start(['--sip-max-connections-per-address', '3', '--sip-header-timeout', '0.5', '--sip-idle-timeout', '1']);
    for (const reason of ['global_limit', 'per_address_limit']) expect(await metric(base, 'presence_connections_refused_total', reason)).toBe(0);
    for (const reason of ['header_timeout', 'idle_timeout', 'message_too_large', 'write_queue_full']) {
      expect(await metric(base, 'presence_connections_closed_total', reason)).toBe(0);
    }

    const presentity = await ua('presentity', 'udp', sip);
    const watcher = await ua('watcher', 'tcp', sip); // its SUBSCRIBE opens the first TCP connection
    const { response, dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
    expect(response.status).toBe(200);
    await dialog.nextNotify();

    const silent = await raw(sip);
    const slow = await raw(sip);
    slow.send('OPTIONS sip:example.com SIP/2.0\r\n');
    let line = 0;
    const drip = setInterval(() => slow.send(`X-Drip-${line++}: a\r\n`), 50);
    closing.push(async () => clearInterval(drip));
    await slow.closed;
    clearInterval(drip);
    await silent.closed;
    expect(await metric(base, 'presence_connections_closed_total', 'header_timeout')).toBe(1);
    expect(await metric(base, 'presence_connections_closed_total', 'idle_timeout')).toBe(1);

    // The watcher connected before the silent peer, so its idle timeout passed too; it still hears of changes.
    await publish(presentity, presentity.aor, { body: pidf(presentity.aor, [{ id: 't1', basic: 'open' }]), expires: 120 });
    expect((await dialog.nextNotify()).body).toContain('<basic>open</basic>');

    const second = await raw(sip);
    second.send(requestText({ transport: 'TCP', uri: 'sip:example.com', branch: 'z9hG4bKsecond' }));
    expect(startLine(await second.next())).toBe('SIP/2.0 200 OK');
    const third = await raw(sip);
    third.send(requestText({ transport: 'TCP', uri: 'sip:example.com', branch: 'z9hG4bKthird' }));
    expect(startLine(await third.next())).toBe('SIP/2.0 200 OK');
    const fourth = await raw(sip);
    await fourth.closed;
    expect(await metric(base, 'presence_connections_refused_total', 'per_address_limit')).toBe(1);
  });

  it('limits - a request larger than the message limit is answered 513, then its connection closes', async () => {
    const { base, sip } = await start([]);
    const big = await raw(sip);
    big.send(requestText({ transport: 'TCP', method: 'MESSAGE', uri: 'sip:example.com', omit: ['Content-Length'], extra: [`Content-Length: ${200 * 1024}`] }));
    expect(startLine(await big.next())).toBe('SIP/2.0 513 Message Too Large');
    await big.closed;
    expect(await metric(base, 'presence_connections_closed_total', 'message_too_large')).toBe(1);
  });
});
