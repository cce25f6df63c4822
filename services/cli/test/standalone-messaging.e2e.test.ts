import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_EVERY_WATCHER_ARGS, Children, createTestUa, eventually, freePort, freeUdpTcpPort, httpGet, metricValue, rawUdp, startLine, startPresenceProcess, type PresenceProcess, type TestUa } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';

let unique = 0;
const aor = (name: string): string => `sip:${name}-${process.pid}-${++unique}@example.com`;

/**
 * MESSAGE through the real `presence standalone` process: offline messages
 * kept across SIGKILL (the data directory), the per-user cap, a loop.
 */
describe('standalone MESSAGE store-and-forward', () => {
  const children = new Children();
  const agents: TestUa[] = [];
  let dataDir: string | undefined;

  afterEach(async () => {
    await Promise.allSettled(agents.splice(0).map((a) => a.close()));
    await children.killAll();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  async function ports(): Promise<{ sip: number; http: number }> {
    return { sip: await freeUdpTcpPort(), http: await freePort('tcp') };
  }

  function start(at: { sip: number; http: number }, args: readonly string[] = []): Promise<PresenceProcess> {
    const listen = `udp:127.0.0.1:${at.sip},tcp:127.0.0.1:${at.sip}`;
    return startPresenceProcess(children, 'standalone', 'im-standalone', at.http, [...ALLOW_EVERY_WATCHER_ARGS, '--listen', listen, '--domain', 'example.com', '--auth', 'none', '--sip-t1', '50', '--log-level', 'warn', ...args]);
  }

  async function ua(port: number, address: string): Promise<TestUa> {
    const agent = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port }, aor: address, timers: { t1Ms: 50 } });
    agents.push(agent);
    return agent;
  }

  it('kill - messages stored before a SIGKILL, and one unanswered when it came, all reach the recipient after the restart, in order', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'im-kill-'));
    const at = await ports();
    const args = ['--data-dir', dataDir, '--offline-sweep-interval', '0.5'];
    let server = await start(at, args);
    const bob = aor('bob');
    const alice = await ua(at.sip, aor('alice'));
    for (let n = 1; n <= 30; n++) expect((await alice.sendMessage(bob, `m${n}`)).status, `m${n}`).toBe(202);
    await server.kill();

    server = await start(at, args);
    // Bob's phone takes the first message and dies before answering; the server is killed mid-delivery.
    const phone = await ua(at.sip, bob);
    phone.answerMessagesWith(null);
    expect((await phone.request('REGISTER', { expires: 300 })).status).toBe(200);
    expect((await phone.nextMessage({ timeoutMs: 5000 })).body).toBe('m1');
    await server.kill();
    await phone.close();

    server = await start(at, args);
    const desk = await ua(at.sip, bob);
    // The dead phone's binding goes; the desk registers and gets everything, m1 again included (at least once).
    expect((await desk.request('REGISTER', { expires: 0, headers: { Contact: '*' } })).status).toBe(200);
    expect((await desk.request('REGISTER', { expires: 300 })).status).toBe(200);
    const bodies: string[] = [];
    for (let n = 1; n <= 30; n++) bodies.push((await desk.nextMessage({ timeoutMs: 10_000 })).body);
    expect(bodies).toEqual(Array.from({ length: 30 }, (_, i) => `m${i + 1}`));
    expect(new Set(desk.messages.map((m) => m.callId)).size).toBe(30);
    // Counted once the 2xx is in and the message left the store, just after the UA saw it.
    await eventually(async () => expect(metricValue(await server.metrics(), 'presence_messages_delivered_total', { path: 'offline' })).toBe(30));
    await server.stop();
  });

  it('cap - past --offline-messages-per-user the sender gets 486 with a reason naming the full store; nothing is dropped', async () => {
    const at = await ports();
    const server = await start(at, ['--offline-messages-per-user', '3']);
    const alice = await ua(at.sip, aor('alice'));
    const bob = aor('bob');
    for (let n = 1; n <= 3; n++) expect((await alice.sendMessage(bob, `m${n}`)).status).toBe(202);
    const refused = await alice.sendMessage(bob, 'm4');
    expect(refused.status).toBe(486);
    expect(refused.reason).toMatch(/offline message store full/);
    const metrics = await server.metrics();
    expect(metricValue(metrics, 'presence_messages_stored_total')).toBe(3);
    expect(metricValue(metrics, 'presence_messages_failed_total', { reason: 'store_full' })).toBe(1);
    const phone = await ua(at.sip, bob);
    await phone.request('REGISTER', { expires: 300 });
    const bodies = [];
    for (let n = 1; n <= 3; n++) bodies.push((await phone.nextMessage({ timeoutMs: 5000 })).body);
    expect(bodies).toEqual(['m1', 'm2', 'm3']);
  });

  it('drain - SIGTERM waits for the copies a multi-recipient 202 promised: one answered after the signal is delivered, one never answered is given up at the deadline and counted; exit 0', async () => {
    const at = await ports();
    // T1 500 ms: an unanswered copy's transaction (Timer F, 32 s) outlasts the 5 s drain.
    const server = await start(at, ['--sip-t1', '500']);
    const alice = await ua(at.sip, aor('alice'));
    const [bob, carol] = [await ua(at.sip, aor('bob')), await ua(at.sip, aor('carol'))];
    for (const phone of [bob, carol]) {
      phone.answerMessagesWith(null);
      expect((await phone.request('REGISTER', { expires: 300 })).status).toBe(200);
    }
    const list = (uri: string) =>
      [
        '--b', 'Content-Type: text/plain', '', `to ${uri}`,
        '--b', 'Content-Type: application/resource-lists+xml', 'Content-Disposition: recipient-list', '',
        `<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="${uri}"/></list></resource-lists>`,
        '--b--', '',
      ].join('\r\n');
    const headers = { 'Content-Type': 'multipart/mixed;boundary=b', Require: 'recipient-list-message' };
    for (const phone of [bob, carol]) expect((await alice.sendMessage('sip:exploder@example.com', list(phone.aor), { headers })).status).toBe(202);
    const late = await bob.nextMessage({ timeoutMs: 5000 });
    await carol.nextMessage({ timeoutMs: 5000 });

    const exit = server.stop(20_000);
    // Stopping: /readyz says so before the edge stops; only then does bob answer.
    await eventually(async () => expect((await httpGet(`${server.httpUrl}/readyz`, 500).catch(() => ({ status: 0 }))).status).not.toBe(200));
    late.respond(200);
    expect(await exit).toBe(0);
    const log = server.child.stdout() + server.child.stderr();
    expect(log).toMatch(/"abandoned":1\b/);
    expect(log).toContain('stopping with messaging work unfinished');
  }, 40_000);

  it('loop - a MESSAGE that comes back to the server with its own Via is 482, and the sender hears it', async () => {
    const at = await ports();
    await start(at);
    const bob = aor('bob');
    // A "contact" that sends whatever it receives straight back to the server, as a misrouted proxy would.
    const mirror = await rawUdp();
    mirror.send(
      `REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${mirror.port};branch=z9hG4bKreg1;rport\r\nMax-Forwards: 70\r\nFrom: <${bob}>;tag=r1\r\nTo: <${bob}>\r\nCall-ID: loop-reg\r\nCSeq: 1 REGISTER\r\nContact: <sip:bob@127.0.0.1:${mirror.port}>\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n`,
      at.sip,
    );
    expect(startLine(await mirror.next())).toBe('SIP/2.0 200 OK');
    const alice = await ua(at.sip, aor('alice'));
    const sent = alice.sendMessage(bob, 'round and round');
    const forwarded = await mirror.next();
    expect(startLine(forwarded)).toMatch(/^MESSAGE /);
    const looped = forwarded.replace('\r\nVia: ', `\r\nVia: SIP/2.0/UDP 127.0.0.1:${mirror.port};branch=z9hG4bKmirror1;rport\r\nVia: `);
    mirror.send(looped, at.sip);
    const answer = await mirror.next();
    expect(startLine(answer)).toBe('SIP/2.0 482 Loop Detected');
    // The mirror passes the 482 back as the answer to the server's MESSAGE.
    const via = /\r\nVia: ([^\r\n]+)/.exec(forwarded)![1]!;
    const headers = ['From', 'To', 'Call-ID', 'CSeq'].map((name) => new RegExp(`\\r\\n(${name}: [^\\r\\n]+)`).exec(forwarded)![1]).join('\r\n');
    mirror.send(`SIP/2.0 482 Loop Detected\r\nVia: ${via}\r\n${headers}\r\nContent-Length: 0\r\n\r\n`, at.sip);
    expect((await sent).status).toBe(482);
  });
});
