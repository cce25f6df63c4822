import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, Children, createTestUa, eventually, freePort, metricValue, which } from '@presence/testkit';
import { DEFAULT_DIGEST_AUTH } from '@presence/edge';
import { afterEach, describe, expect, it } from 'vitest';
import { startStandaloneTarget, suiteEdgeConfig, type StandaloneTarget } from './standalone-target.js';

/**
 * An independent SIP implementation (SIPp, Debian package sip-tester) drives
 * the server: test/sipp/watcher.xml subscribes and expects the initial NOTIFY,
 * one per change (open, closed) and the terminated one after unsubscribing;
 * test/sipp/publisher.xml publishes open, then modifies it to closed with the
 * entity-tag it was given (RFC 3903 §4.4); test/sipp/register.xml and
 * test/sipp/publication.xml go through a registration's and a publication's
 * life, 423 Interval Too Brief included, and a removal answered with the
 * entity-tag it removed. Every scenario looks the headers it
 * needs up by name (`<ereg search_in="hdr" header="SIP-ETag:" check_it="true">`),
 * case-sensitively as SIPp does: a header missing or spelled other than as
 * the RFCs spell it fails the scenario. test/sipp/register-auth.xml and
 * test/sipp/publisher-auth.xml answer digest challenges (-au/-ap) with
 * SIPp's `[authentication]`. test/sipp/message-sender.xml sends a MESSAGE
 * (202 while its recipient is offline, 200 after), message-register.xml and
 * message-receiver.xml are that recipient, checking the Date and hop count;
 * message-list.xml sends a multi-recipient MESSAGE (RFC 5365) to the exploder.
 * test/sipp/winfo-subscriber.xml is a presentity subscribed to its own
 * watcher information (RFC 3857), checking each watcherinfo body (RFC 3858).
 */
const SCENARIOS = fileURLToPath(new URL('./sipp/', import.meta.url));
const SIPP = which('sipp');
const CI = process.env.CI === 'true';
const INSTALL_HINT = 'sipp is not on PATH: install SIPp (Debian/Ubuntu: apt-get install sip-tester)';
/** SIPp's own global timeout; every scenario here takes well under a second. */
const SIPP_TIMEOUT_S = 10;

if (!SIPP && !CI) {
  console.warn(`\n${'!'.repeat(78)}\n!!! ${INSTALL_HINT}\n!!! The SIPp end-to-end tests (sipp.e2e.test.ts) are SKIPPED.\n${'!'.repeat(78)}\n`);
}

interface SippRun {
  readonly label: string;
  readonly child: Child;
  readonly errorFile: string;
  readonly messageFile: string;
}

describe.skipIf(!SIPP && !CI)('standalone driven by SIPp', () => {
  const children = new Children();
  let target: StandaloneTarget | undefined;
  let workDir: string | undefined;

  afterEach(async () => {
    await children.killAll();
    await target?.stop();
    target = undefined;
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    workDir = undefined;
  });

  async function sipp(
    scenario: 'watcher' | 'publisher' | 'register' | 'publication' | 'register-auth' | 'publisher-auth' | 'message-sender' | 'message-register' | 'message-receiver' | 'message-list' | 'winfo-subscriber',
    user: string,
    transport: 'udp' | 'tcp',
    serverPort: number,
    extra: readonly string[] = [],
    /** A fixed local port (a recipient registered by one run and answering in the next), and how many calls. */
    place: { localPort?: number; calls?: number; run?: string } = {},
  ): Promise<SippRun> {
    const dir = workDir as string;
    const name = `${scenario}${place.run ?? ''}`;
    const errorFile = join(dir, `${name}-errors.log`);
    const messageFile = join(dir, `${name}-messages.log`);
    const localPort = place.localPort ?? (await freePort(transport));
    const controlPort = await freePort('udp');
    // flags as documented by `sipp -h` (SIPp 3.6)
    const args = [
      '-sf', join(SCENARIOS, `${scenario}.xml`),
      '-s', user,
      '-m', String(place.calls ?? 1),
      '-i', '127.0.0.1',
      '-p', String(localPort),
      '-cp', String(controlPort),
      '-t', transport === 'udp' ? 'u1' : 't1',
      `127.0.0.1:${serverPort}`,
      '-timeout', `${SIPP_TIMEOUT_S}s`,
      '-timeout_error',
      '-trace_err', '-error_file', errorFile,
      '-trace_msg', '-message_file', messageFile,
      '-nostdin',
      ...extra,
    ];
    return { label: `SIPp ${name} over ${transport}`, child: children.spawn(SIPP as string, args, { cwd: dir }), errorFile, messageFile };
  }

  /** Everything worth seeing when a SIPp run went wrong. */
  async function report(run: SippRun): Promise<string> {
    const read = (path: string) => readFile(path, 'utf8').catch(() => '(none written)');
    return [
      `${run.label}: ${run.child.exited() ? 'exited' : 'still running'}`,
      `--- SIPp error file ${run.errorFile} ---`,
      await read(run.errorFile),
      '--- SIPp messages (tail) ---',
      (await read(run.messageFile)).slice(-3000),
      '--- stderr ---',
      run.child.stderr().slice(-1000),
    ].join('\n');
  }

  /** Starts the server and SIPp's scratch directory; the server's port for `transport`. */
  async function startServer(transport: 'udp' | 'tcp', options: Parameters<typeof startStandaloneTarget>[0] = {}): Promise<{ server: StandaloneTarget['server']; port: number }> {
    if (!SIPP) throw new Error(`${INSTALL_HINT} (CI=true: the SIPp tests must not be skipped)`);
    workDir = await mkdtemp(join(tmpdir(), 'presence-sipp-'));
    target = await startStandaloneTarget(options);
    return { server: target.server, port: target.port(transport) };
  }

  async function expectSuccess(run: SippRun): Promise<void> {
    const exit = await run.child.exit((SIPP_TIMEOUT_S + 2) * 1000).catch((error: Error) => ({ code: null, signal: null, error: error.message }));
    if (exit.code !== 0) expect.unreachable(`${run.label} exit ${JSON.stringify(exit)}\n${await report(run)}`);
  }

  it.each(['udp', 'tcp'] as const)(
    'sipp - a SIPp watcher sees the initial, open, closed and terminated NOTIFYs from a SIPp publisher over %s',
    async (transport) => {
      const { server, port } = await startServer(transport);
      const user = `sipp-${transport}-${process.pid}`;

      const watcher = await sipp('watcher', user, transport, port);
      // The watcher holds its subscription: only then may the changes come.
      try {
        await eventually(async () => expect(metricValue(await server.metrics.render(), 'presence_subscriptions', { state: 'active' })).toBe(1), {
          timeoutMs: 5000,
        });
      } catch (error) {
        expect.unreachable(`no subscription held within 5 s (${(error as Error).message})\n${await report(watcher)}`);
      }

      const publisher = await sipp('publisher', user, transport, port);
      await expectSuccess(publisher);
      await expectSuccess(watcher);

      const metrics = await server.metrics.render();
      expect(metricValue(metrics, 'presence_subscriptions', { state: 'active' })).toBe(0);
      expect(metricValue(metrics, 'presence_publications_total', { action: 'create' })).toBe(1);
      expect(metricValue(metrics, 'presence_publications_total', { action: 'modify' })).toBe(1);
      // initial + open + closed + terminated, each answered 200 by SIPp
      expect(metricValue(metrics, 'presence_notifies_sent_total', { result: 'ok' })).toBe(4);
    },
    40_000,
  );

  it('sipp - a SIPp presentity subscribed to its watcher information gets full state, then a partial NOTIFY per watcher change (RFC 3857/3858)', async () => {
    const { server, port } = await startServer('udp');
    const user = `sipp-winfo-${process.pid}`;
    const subscriber = await sipp('winfo-subscriber', user, 'udp', port);
    try {
      await eventually(async () => expect(metricValue(await server.metrics.render(), 'presence_subscriptions', { state: 'active' })).toBe(1), { timeoutMs: 5000 });
    } catch (error) {
      expect.unreachable(`no winfo subscription held within 5 s (${(error as Error).message})\n${await report(subscriber)}`);
    }
    const watcher = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port }, aor: 'sip:winfo-watcher@example.com' });
    try {
      const { dialog } = await watcher.subscribe(`sip:${user}@example.com`, { expires: 600 });
      await dialog.nextNotify();
      expect((await dialog.unsubscribe()).status).toBe(200);
      await expectSuccess(subscriber);
    } finally {
      await watcher.close();
    }
    // The watcher's 2 NOTIFYs, and the winfo subscriber's 4 (full, subscribe, timeout, terminated), all answered 200.
    expect(metricValue(await server.metrics.render(), 'presence_notifies_sent_total', { result: 'ok' })).toBe(6);
  }, 40_000);

  it.each(['udp', 'tcp'] as const)(
    'sipp - REGISTER and PUBLISH answers carry Contact, SIP-ETag (the removed one after a removal), Expires and Min-Expires spelled as the RFCs do, over %s',
    async (transport) => {
      const { server, port } = await startServer(transport);
      const user = `sipp-life-${transport}-${process.pid}`;
      await expectSuccess(await sipp('register', user, transport, port));
      await expectSuccess(await sipp('publication', user, transport, port));

      const metrics = await server.metrics.render();
      expect(metricValue(metrics, 'presence_sip_responses_total', { method: 'REGISTER', code: '423' })).toBe(1);
      expect(metricValue(metrics, 'presence_sip_responses_total', { method: 'PUBLISH', code: '423' })).toBe(1);
      expect(metricValue(metrics, 'presence_publications_total', { action: 'refresh' })).toBe(1);
      expect(metricValue(metrics, 'presence_publications_total', { action: 'remove' })).toBe(1);
    },
    40_000,
  );

  it.each(['udp', 'tcp'] as const)(
    'sipp - SIPp registers, unregisters, publishes and modifies through digest authentication over %s (MD5 offered alone: SIPp 3.6 answers only the first challenge)',
    async (transport) => {
      const { server, port } = await startServer(transport, { auth: 'digest', edge: suiteEdgeConfig({ auth: { ...DEFAULT_DIGEST_AUTH, algorithms: ['MD5'] } }) });
      const user = `sipp-auth-${transport}-${process.pid}`;
      await target!.addUser!(`sip:${user}@example.com`, 'sipp-secret');
      const credentials = ['-au', user, '-ap', 'sipp-secret'];
      await expectSuccess(await sipp('register-auth', user, transport, port, credentials));
      await expectSuccess(await sipp('publisher-auth', user, transport, port, credentials));

      const metrics = await server.metrics.render();
      expect(metricValue(metrics, 'presence_auth_challenges_total', { reason: 'missing' })).toBe(2);
      expect(metricValue(metrics, 'presence_auth_successes_total', { algorithm: 'MD5' })).toBe(4);
      expect(metricValue(metrics, 'presence_auth_failures_total', { reason: 'credentials' })).toBe(0);
      expect(metricValue(metrics, 'presence_registrations_total', { action: 'unbind' })).toBe(1);
      expect(metricValue(metrics, 'presence_publications_total', { action: 'modify' })).toBe(1);
    },
    40_000,
  );

  it('sipp - a SIPp MESSAGE to an offline SIPp recipient is stored (202), delivered with its Date when it registers, then sent online (200)', async () => {
    const { server, port } = await startServer('udp');
    const sender = `sipp-im-from-${process.pid}`;
    const recipient = `sipp-im-to-${process.pid}`;
    const toRecipient = ['-key', 'recipient', recipient];
    await expectSuccess(await sipp('message-sender', sender, 'udp', port, toRecipient, { run: '-offline' }));
    expect(metricValue(await server.metrics.render(), 'presence_messages_stored_total')).toBe(1);

    // The recipient registers from the port its answering run then listens on; the stored MESSAGE is retransmitted until it answers.
    const localPort = await freePort('udp');
    await expectSuccess(await sipp('message-register', recipient, 'udp', port, [], { localPort }));
    const receiver = await sipp('message-receiver', recipient, 'udp', port, [], { localPort, calls: 2 });
    await eventually(async () => expect(metricValue(await server.metrics.render(), 'presence_messages_delivered_total', { path: 'offline' })).toBe(1), { timeoutMs: 8000 }).catch(async (error: Error) =>
      expect.unreachable(`the stored MESSAGE was not delivered within 8 s (${error.message})\n${await report(receiver)}`),
    );
    await expectSuccess(await sipp('message-sender', sender, 'udp', port, toRecipient, { run: '-online' }));
    await expectSuccess(receiver);

    const metrics = await server.metrics.render();
    expect(metricValue(metrics, 'presence_messages_delivered_total', { path: 'online' })).toBe(1);
    expect(metricValue(metrics, 'presence_sip_responses_total', { method: 'MESSAGE', code: '202' })).toBe(1);
    expect(metricValue(metrics, 'presence_sip_responses_total', { method: 'MESSAGE', code: '200' })).toBe(1);
  }, 40_000);

  it('sipp - a SIPp multi-recipient MESSAGE (RFC 5365) is accepted (202) and stored once for each of its three offline recipients, bcc included', async () => {
    const { server, port } = await startServer('udp');
    const recipient = `sipp-list-${process.pid}`;
    await expectSuccess(await sipp('message-list', `sipp-list-from-${process.pid}`, 'udp', port, ['-key', 'recipient', recipient]));
    // The copies go out after the 202.
    await eventually(async () => expect(metricValue(await server.metrics.render(), 'presence_message_list_copies_total', { result: 'stored' })).toBe(3));
    const metrics = await server.metrics.render();
    expect(metricValue(metrics, 'presence_messages_stored_total')).toBe(3);
    expect(metricValue(metrics, 'presence_sip_responses_total', { method: 'MESSAGE', code: '202' })).toBe(1);
  }, 40_000);

  it('sipp - SIPp with a wrong password is challenged again and its scenario fails', async () => {
    const { server, port } = await startServer('udp', { auth: 'digest', edge: suiteEdgeConfig({ auth: { ...DEFAULT_DIGEST_AUTH, algorithms: ['MD5'] } }) });
    const user = `sipp-wrong-${process.pid}`;
    await target!.addUser!(`sip:${user}@example.com`, 'sipp-secret');
    const run = await sipp('register-auth', user, 'udp', port, ['-au', user, '-ap', 'not-the-password']);
    const exit = await run.child.exit((SIPP_TIMEOUT_S + 2) * 1000);
    expect(exit.code, await report(run)).not.toBe(0);
    const metrics = await server.metrics.render();
    expect(metricValue(metrics, 'presence_auth_failures_total', { reason: 'credentials' })).toBe(1);
    expect(metricValue(metrics, 'presence_registrations_total', { action: 'bind' })).toBe(0);
  }, 40_000);
});
