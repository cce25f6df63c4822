import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryGate, Children, eventually, httpGet, requireOrSkip, type TestUa } from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, ctlJson, presenceScene, runPresence, startStandaloneProcess, type PresenceScene, type StartedStandalone } from './ctl-kit.js';
import { startHepReceiver, type HepPacket, type HepReceiver } from './hep-decoder.js';
import { readPcap, sipText } from './pcap-reader.js';

const runSngrep = requireOrSkip(binaryGate('sngrep', 'apt-get install sngrep'), 'sngrep check of --sip-trace');
const callIdOf = (text: string) => /\r\nCall-ID: *([^\r\n]+)/i.exec(text)?.[1];

/**
 * Operating a standalone server through the real `presence` binary: every
 * `presence ctl` read, the log level, drain's refusal, bad input, and the
 * SIP tracers (HEP to a UDP receiver here, the pcap file read by sngrep).
 */
describe('operate a standalone server', () => {
  const children = new Children();
  let receiver: HepReceiver;
  let hep: HepPacket[];
  let dir: string;
  let server: StartedStandalone;
  let scene: PresenceScene;
  let alice: TestUa;
  let subscribeCallId: string;
  let etag: string;
  let startedUs: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-operate-'));
    receiver = await startHepReceiver();
    hep = receiver.packets;
    startedUs = Date.now() * 1000;
    server = await startStandaloneProcess(children, [
      '--id', 'ops-standalone',
      '--hep', `udp:127.0.0.1:${receiver.port}`,
      '--hep-id', '42',
      '--sip-trace', join(dir, 'trace.pcap'),
    ]);
    // Bob on TCP, so both transports show in the traces.
    scene = await presenceScene(server.sipPort, 'tcp', 'Grüße ✓');
    ({ alice, subscribeCallId, etag } = scene);
  }, 30_000);

  afterAll(async () => {
    await scene?.close();
    await children.killAll();
    receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ctl - presentity, watchers, bindings, dialog and cluster answer from the running server', async () => {
    const presentity = await ctlJson(children, server.url, ['presentity', 'alice@example.com']);
    expect(presentity).toMatchObject({ presentity: ALICE, publicationCount: 1 });
    expect(presentity.document).toContain('<basic>open</basic>');
    expect(presentity.document).toContain('Grüße ✓');
    expect((presentity.publications as { etag: string }[])[0]!.etag).toBe(etag);

    const watchers = await ctlJson(children, server.url, ['watchers', ALICE]);
    expect(watchers).toMatchObject({ presentity: ALICE, total: 1, watchers: [{ watcher: BOB, status: 'active', event: 'presence', edgeId: 'ops-standalone' }] });

    const bindings = await ctlJson(children, server.url, ['bindings', 'alice@example.com']);
    expect(bindings).toMatchObject({ aor: ALICE, total: 1 });
    expect((bindings.bindings as { contact: string }[])[0]!.contact).toContain(alice.contact);

    const dialog = await ctlJson(children, server.url, ['dialog', subscribeCallId]);
    expect(dialog).toMatchObject({ callId: subscribeCallId, dialogs: [{ presentity: ALICE, watcher: BOB, status: 'active', callId: subscribeCallId }] });

    const cluster = await ctlJson(children, server.url, ['cluster']);
    expect(cluster).toEqual({ members: ['ops-standalone'], partitions: 256, owners: { 'ops-standalone': { count: 256, partitions: '0-255' } }, unowned: { count: 0, partitions: '' } });
  });

  it('ctl - unknown AOR or Call-ID is 404, bad input 400, drain is refused on a standalone: exit 1 with the reason', async () => {
    const refused = async (args: string[], status: number, reason: RegExp) => {
      const ran = await runPresence(children, ['ctl', ...args, '--url', server.url]);
      expect(ran.code, ran.stderr).toBe(1);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toMatch(new RegExp(`^presence ctl: ${status} `));
      expect(ran.stderr).toMatch(reason);
    };
    await refused(['bindings', 'nobody@example.com'], 404, /no bindings for sip:nobody@example.com/);
    await refused(['presentity', 'bob@example.com'], 404, /no presentity sip:bob@example.com/);
    await refused(['watchers', 'carol@example.com'], 404, /no presentity/);
    await refused(['dialog', 'no-such-call@example.com'], 404, /no subscription dialog/);
    await refused(['watchers', 'sip:@'], 400, /Invalid URI/);
    await refused(['watchers', ALICE, '--limit', '5000'], 400, /limit must be an integer from 1 to 1000/);
    await refused(['drain'], 404, /standalone server; drain applies to the agent processes/);
    const usage = await runPresence(children, ['ctl', 'frobnicate', '--url', server.url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown subcommand "frobnicate"');
    const unreachable = await runPresence(children, ['ctl', 'cluster', '--url', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:1');
  });

  it('ctl log-level - changes the level at run time: at debug every request logs method, status, Call-ID and duration', async () => {
    expect(await ctlJson(children, server.url, ['log-level'])).toEqual({ level: 'warn' });
    expect(await ctlJson(children, server.url, ['log-level', 'debug'])).toEqual({ level: 'debug', previous: 'warn' });
    const callId = `ops-${Date.now()}@test`;
    expect((await alice.request('OPTIONS', { uri: 'sip:example.com', headers: { 'Call-ID': callId } })).status).toBe(200);
    await eventually(() => {
      const line = server.child.stderr().split('\n').find((l) => l.includes(callId));
      expect(line, server.child.stderr().slice(-2000)).toBeDefined();
      const entry = JSON.parse(line!) as Record<string, unknown>;
      expect(entry).toMatchObject({ level: 20, msg: 'SIP request', method: 'OPTIONS', status: 200, callId, role: 'standalone', pid: server.child.process.pid });
      expect(typeof entry.ms).toBe('number');
    });
    expect(await ctlJson(children, server.url, ['log-level', 'info'])).toEqual({ level: 'info', previous: 'debug' });
    const quiet = `ops-quiet-${Date.now()}@test`;
    expect((await alice.request('OPTIONS', { uri: 'sip:example.com', headers: { 'Call-ID': quiet } })).status).toBe(200);
    // A later debug line proves the quiet request was served before it; it must not have been logged.
    expect(await ctlJson(children, server.url, ['log-level', 'debug'])).toMatchObject({ level: 'debug' });
    const marker = `ops-marker-${Date.now()}@test`;
    await alice.request('OPTIONS', { uri: 'sip:example.com', headers: { 'Call-ID': marker } });
    await eventually(() => expect(server.child.stderr()).toContain(marker));
    expect(server.child.stderr()).not.toContain(quiet);
    const bad = await runPresence(children, ['ctl', 'log-level', 'loud', '--url', server.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('400');
  });

  it('--version - every role and the command print the release; /healthz reports it with role, id and pid', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const args of [['--version'], ['standalone', '--version'], ['edge', '--version'], ['agent', '-V']]) {
      const ran = await runPresence(children, args);
      expect(ran, args.join(' ')).toMatchObject({ code: 0, stdout: `sip-presence/${version}\n` });
    }
    const health = await httpGet(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', version, role: 'standalone', id: 'ops-standalone', pid: server.child.process.pid });
  });

  it('--hep - a HEP3 copy of every message in and out reaches the collector: payload, addresses, ports, protocol, time, ids', async () => {
    const alicePort = alice.stack.listeners[0]!.port;
    const find = (predicate: (p: HepPacket) => boolean) => hep.find(predicate);
    await eventually(() => {
      expect(find((p) => p.payload.startsWith('REGISTER '))).toBeDefined();
      expect(find((p) => p.payload.startsWith('NOTIFY '))).toBeDefined();
    });
    const register = find((p) => p.payload.startsWith('REGISTER '))!;
    expect(register).toMatchObject({ ipFamily: 2, ipProtocol: 17, srcIp: '127.0.0.1', srcPort: alicePort, dstIp: '127.0.0.1', dstPort: server.sipPort, protocolType: 1, captureId: 42, nodeName: 'ops-standalone' });
    const at = register.timeSeconds * 1e6 + register.timeMicros;
    expect(at).toBeGreaterThanOrEqual(startedUs);
    expect(at).toBeLessThanOrEqual(Date.now() * 1000);
    const ok = find((p) => p.payload.startsWith('SIP/2.0 200') && callIdOf(p.payload) === callIdOf(register.payload) && /CSeq: *\d+ REGISTER/.test(p.payload));
    expect(ok).toMatchObject({ ipProtocol: 17, srcPort: server.sipPort, dstPort: alicePort });
    // The UTF-8 body arrives whole, Content-Length and all.
    const published = find((p) => p.payload.startsWith('PUBLISH '))!;
    expect(published.payload).toContain('Grüße ✓');
    expect(Buffer.byteLength(published.payload.split('\r\n\r\n')[1]!)).toBe(Number(/Content-Length: *(\d+)/.exec(published.payload)![1]));
    // Bob is on TCP: his SUBSCRIBE and the NOTIFY to him are TCP (6).
    const subscribe = find((p) => p.payload.startsWith('SUBSCRIBE '))!;
    expect(subscribe).toMatchObject({ ipProtocol: 6, dstPort: server.sipPort });
    const notify = find((p) => p.payload.startsWith('NOTIFY ') && callIdOf(p.payload) === subscribeCallId)!;
    expect(notify).toMatchObject({ ipProtocol: 6, srcPort: server.sipPort, dstPort: subscribe.srcPort });
    expect(await ctlJson(children, server.url, ['tracing'])).toMatchObject({ hep: { dropped: 0 }, sipTrace: { dropped: 0 } });
  });

  it.runIf(runSngrep)('--sip-trace - the pcap file holds every message, and sngrep reads it back message by message', async () => {
    const expected = hep.map((p) => p.payload);
    server.child.process.kill('SIGTERM');
    expect((await server.child.exit(10_000)).code).toBe(0);
    const trace = join(dir, 'trace.pcap');
    const ours = (await readPcap(trace)).map(sipText);
    expect(ours.filter((t) => t !== undefined)).toHaveLength(ours.length);
    for (const payload of expected) expect(ours).toContain(payload);

    const reread = join(dir, 'sngrep.pcap');
    const ran = await runPresenceFree(['sngrep', '-I', trace, '-N', '-O', reread]);
    expect(ran.code, ran.stderr).toBe(0);
    const callIds = new Set(expected.map(callIdOf));
    expect(ran.stdout).toContain(`Dialog count: ${callIds.size}`);
    // What sngrep parsed as SIP and wrote out again: every message, UDP and TCP alike.
    const seen = (await readPcap(reread)).map(sipText);
    for (const payload of expected) expect(seen).toContain(payload);
  });

  /** A non-presence binary under the same children (killed at the end if it hangs). */
  async function runPresenceFree(argv: string[]) {
    const child = children.spawn(argv[0]!, argv.slice(1));
    const { code } = await child.exit(20_000);
    return { code, stdout: child.stdout(), stderr: child.stderr() };
  }
});
