import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportName } from '@presence/sip';
import { createTestUa, eventually, httpGet, metricValue, type TestDialog, type TestUa } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { StandaloneOptions } from '../src/index.js';
import { DOMAIN, pidf, publish, sleep, tuplesOf } from '@presence/testkit/behaviour';
import { startStandaloneTarget, suiteEdgeConfig, type StandaloneTarget } from './standalone-target.js';

let unique = 0;
const aor = (name: string) => `sip:${name}-${process.pid}-${++unique}@${DOMAIN}`;

describe('standalone operations', () => {
  const targets: StandaloneTarget[] = [];
  const agents: TestUa[] = [];
  const sockets: Socket[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(agents.splice(0).map((a) => a.close()));
    for (const target of targets.splice(0)) await target.stop();
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function start(options: Partial<StandaloneOptions> = {}): Promise<StandaloneTarget> {
    const target = await startStandaloneTarget(options);
    targets.push(target);
    return target;
  }

  /** Stops a target started with start() (so afterEach does not stop it twice). */
  async function stop(target: StandaloneTarget): Promise<void> {
    targets.splice(targets.indexOf(target), 1);
    await target.stop();
  }

  async function ua(target: StandaloneTarget, name: string, transport: TransportName = 'udp'): Promise<TestUa> {
    const agent = await createTestUa({ transport, server: { host: '127.0.0.1', port: target.port(transport) }, aor: aor(name) });
    agents.push(agent);
    return agent;
  }

  /** A fetch (SUBSCRIBE Expires 0, RFC 3265 §3.3.6): the one NOTIFY's body. */
  async function fetchState(target: StandaloneTarget, presentity: string): Promise<string> {
    const watcher = await ua(target, 'fetcher');
    const { response, dialog } = await watcher.subscribe(presentity, { expires: 0 });
    expect(response.status).toBe(200);
    const notify = await dialog.nextNotify();
    expect(notify.header('subscription-state')).toMatch(/^terminated/);
    return notify.body;
  }

  async function expectOptionsAnswered(target: StandaloneTarget): Promise<void> {
    for (const transport of ['udp', 'tcp'] as const) {
      const agent = await ua(target, `options-${transport}`, transport);
      expect((await agent.request('OPTIONS', { uri: `sip:${DOMAIN}` })).status, `OPTIONS over ${transport}`).toBe(200);
    }
  }

  async function tcpSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
    const socket = connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return { socket, closed };
  }

  const within = (ms: number, what: string, promise: Promise<void>) =>
    Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what} within ${ms} ms`)))]);

  it('garbage - random bytes, a half message and an oversize message leave the server answering OPTIONS', async () => {
    const target = await start();
    const half = `OPTIONS sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKhalf\r\nFrom: <sip:x@${DOMAIN}>;tag=1\r\nCall-`;

    const udp = createSocket('udp4');
    try {
      for (const datagram of [randomBytes(1200), Buffer.from(half), Buffer.alloc(0), Buffer.from('\r\n\r\n')]) {
        await new Promise<void>((resolve, reject) => udp.send(datagram, target.port('udp'), '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
    } finally {
      udp.close();
    }

    const garbage = await tcpSocket(target.port('tcp'));
    garbage.socket.write(Buffer.concat([randomBytes(4096), Buffer.from('\r\n\r\n'), Buffer.from(half)]));

    // Over the 128 KiB message limit: the connection is closed (libs/sip README "Limits").
    const body = 'x'.repeat(200 * 1024);
    const oversize = await tcpSocket(target.port('tcp'));
    oversize.socket.write(
      `OPTIONS sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKbig\r\nFrom: <sip:x@${DOMAIN}>;tag=1\r\nTo: <sip:${DOMAIN}>\r\n` +
        `Call-ID: big\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await within(3000, 'server did not close the connection of an oversize message', oversize.closed);
    const endless = await tcpSocket(target.port('tcp'));
    endless.socket.write(`OPTIONS sip:${DOMAIN} SIP/2.0\r\n${'X-Filler: yyyyyyyyyyyyyyyyyyyy\r\n'.repeat(8000)}`);
    await within(3000, 'server did not close the connection of a header section without end', endless.closed);

    await expectOptionsAnswered(target);
    expect(metricValue(await target.server.metrics.render(), 'presence_sip_handler_errors_total', { method: 'OPTIONS' })).toBe(0);
  });

  it('data dir - a publication survives a restart on the same data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'presence-data-'));
    dirs.push(dataDir);
    const first = await start({ dataDir });
    const presentity = aor('durable');
    const publisher = await ua(first, 'publisher');
    const published = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'dd1', basic: 'open', note: 'kept across restart' }]), expires: 600 });
    expect(published.status).toBe(200);
    await stop(first);

    const second = await start({ dataDir });
    const body = await fetchState(second, presentity);
    expect(tuplesOf(body)).toEqual(['dd1:open']);
    expect(body).toContain('kept across restart');
  });

  it('data dir - a publication whose Expires lapsed while the server was down is gone after the restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'presence-data-'));
    dirs.push(dataDir);
    const first = await start({ dataDir });
    const [shortLived, longLived] = [aor('short'), aor('long')];
    const publisher = await ua(first, 'publisher');
    expect((await publish(publisher, shortLived, { body: pidf(shortLived, [{ id: 's1', basic: 'open' }]), expires: 2 })).status).toBe(200);
    expect((await publish(publisher, longLived, { body: pidf(longLived, [{ id: 'l1', basic: 'open' }]), expires: 600 })).status).toBe(200);
    const publishedAt = Date.now();
    await stop(first);
    await sleep(Math.max(0, publishedAt + 2500 - Date.now()));

    const second = await start({ dataDir });
    expect(tuplesOf(await fetchState(second, longLived)), 'the snapshot was read back').toEqual(['l1:open']);
    expect(tuplesOf(await fetchState(second, shortLived)), 'RFC 3903 §6: an expired publication no longer contributes').toEqual([]);
  });

  it('rate limit - changes within notify-min-interval are coalesced into one NOTIFY with the latest state (RFC 6446)', async () => {
    const target = await start({ edge: suiteEdgeConfig({ notifyMinIntervalMs: 1000 }) });
    const presentity = aor('busy');
    const publisher = await ua(target, 'publisher');
    const watcher = await ua(target, 'watcher');
    const subscribedAt = Date.now();
    const { dialog } = await watcher.subscribe(presentity, { expires: 600 });
    await dialog.nextNotify({ timeoutMs: 500 });
    const initialAt = Date.now();
    expect(initialAt - subscribedAt, 'the initial NOTIFY is not rate limited').toBeLessThan(500);
    const coalescedBefore = metricValue(await target.server.metrics.render(), 'presence_notifies_coalesced_total');

    let etag: string | undefined;
    for (const [basic, note] of [['open', 'first'], ['closed', 'second'], ['open', 'third']] as const) {
      const response = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'r1', basic, note }]), expires: 600, ifMatch: etag });
      expect(response.status).toBe(200);
      etag = response.header('sip-etag');
    }

    const notify = await dialog.nextNotify({ timeoutMs: initialAt + 1500 - Date.now() });
    const gap = Date.now() - initialAt;
    expect(gap, 'no NOTIFY before the minimum interval').toBeGreaterThanOrEqual(900);
    expect(tuplesOf(notify.body)).toEqual(['r1:open']);
    expect(notify.body).toContain('third');
    expect(notify.body).not.toMatch(/first|second/);
    await sleep(1500);
    expect(dialog.notifies, 'one NOTIFY for the three changes, none after it').toHaveLength(2);
    expect(metricValue(await target.server.metrics.render(), 'presence_notifies_coalesced_total')).toBeGreaterThan(coalescedBefore);
  });

  it('metrics - one bus message per change; the edge fans out one NOTIFY per watcher', async () => {
    const target = await start({ http: { host: '127.0.0.1', port: 0 } });
    const url = `http://127.0.0.1:${target.server.http!.port}/metrics`;
    const scrape = async () => {
      const { status, body } = await httpGet(url);
      expect(status).toBe(200);
      return {
        out: metricValue(body, 'presence_change_bus_messages_total', { direction: 'out' }),
        in: metricValue(body, 'presence_change_bus_messages_total', { direction: 'in' }),
        notifies: metricValue(body, 'presence_notifies_sent_total', { result: 'ok' }),
      };
    };
    const presentity = aor('popular');
    const publisher = await ua(target, 'publisher');
    const dialogs: TestDialog[] = [];
    for (let i = 0; i < 3; i++) {
      const { dialog } = await (await ua(target, `watcher${i}`)).subscribe(presentity, { expires: 600 });
      await dialog.nextNotify();
      dialogs.push(dialog);
    }
    await eventually(async () => expect(await scrape()).toEqual({ out: 0, in: 0, notifies: 3 }));

    const changes = 4;
    let etag: string | undefined;
    for (let n = 1; n <= changes; n++) {
      const basic = n % 2 === 1 ? 'open' : 'closed';
      const response = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'm1', basic, note: `change ${n}` }]), expires: 600, ifMatch: etag });
      expect(response.status).toBe(200);
      etag = response.header('sip-etag');
      // each watcher gets this change before the next one (no coalescing: interval 0 and nothing in flight)
      for (const dialog of dialogs) expect((await dialog.nextNotify()).body).toContain(`change ${n}`);
      await eventually(async () => expect(await scrape()).toEqual({ out: n, in: n, notifies: 3 + 3 * n }));
    }
    await sleep(300);
    expect(await scrape(), 'nothing more after the last change').toEqual({ out: changes, in: changes, notifies: 3 + 3 * changes });
    for (const dialog of dialogs) expect(dialog.notifies).toHaveLength(1 + changes);
  });
});
