import { fileURLToPath } from 'node:url';
import {
  ALLOW_EVERY_WATCHER_ARGS,
  Children,
  createTestUa,
  eventually,
  freePort,
  freeUdpTcpPort,
  httpGet,
  metricValue,
  rawTcp,
  rawUdp,
  requestText,
  startLine,
  type RawTcp,
  type RawUdp,
  type TestUa,
} from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Per-source rate limits and overload mode (README "Rate limits and
 * overload") on a real `presence standalone` (built dist/), over real
 * sockets. Other loopback addresses (127.0.0.2, 127.0.0.3) are other sources.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';
/** One token per 100 s: nothing refills while a test runs, so counts are exact. */
const NO_REFILL = ['--rate-limit', '0.01'];

describe('rate limits and overload', () => {
  const children = new Children();
  const closers: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await children.killAll();
  });

  async function startStandalone(args: readonly string[]) {
    const sip = await freeUdpTcpPort();
    const http = await freePort('tcp');
    const base = `http://127.0.0.1:${http}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
    const listen = `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip}`;
    const child = children.spawn(process.execPath, [BIN, 'standalone', ...ALLOW_EVERY_WATCHER_ARGS, '--listen', listen, '--http', `127.0.0.1:${http}`, '--log-level', 'error', '--auth', 'none', ...args], {
      cwd: ROOT,
      env,
    });
    await eventually(
      async () => {
        expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
        expect((await httpGet(`${base}/readyz`, 1000)).status).toBe(200);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const metric = async (name: string, labels?: Record<string, string>) => metricValue((await httpGet(`${base}/metrics`)).body, name, labels);
    return { sip, metric };
  }

  async function udpFrom(host: string): Promise<RawUdp> {
    const peer = await rawUdp(host);
    closers.push(() => peer.close());
    return peer;
  }

  async function tcpTo(port: number): Promise<RawTcp> {
    const peer = await rawTcp(port);
    closers.push(() => peer.close());
    return peer;
  }

  /** Sends `count` OPTIONS (distinct transactions) from `peer` at once. */
  function optionsBurst(peer: RawUdp, sip: number, count: number, label: string): void {
    for (let i = 0; i < count; i++) peer.send(requestText({ sentBy: `127.0.0.1:${peer.port}`, branch: `z9hG4bK${label}${i}`, callId: `${label}-${i}` }), sip);
  }

  /** Every message that arrives until none has for `quietMs`. */
  async function drain(peer: { next(ms: number): Promise<string> }, quietMs = 500): Promise<string[]> {
    const got: string[] = [];
    for (;;) {
      try {
        got.push(await peer.next(quietMs));
      } catch {
        return got;
      }
    }
  }

  it('rate limit - a UDP flood from one source is dropped past its burst while another source keeps getting 200; counted by transport and action', async () => {
    const { sip, metric } = await startStandalone([...NO_REFILL, '--rate-limit-burst', '5', '--rate-limit-udp', 'drop']);
    expect(await metric('presence_rate_limited_total', { transport: 'udp', action: 'drop' })).toBe(0);
    expect(await metric('presence_rate_limit_sources')).toBe(0);
    const flooder = await udpFrom('127.0.0.1');
    optionsBurst(flooder, sip, 20, 'flood');
    const answers = await drain(flooder);
    expect(answers.map(startLine)).toEqual(Array(5).fill('SIP/2.0 200 OK'));

    const other = await udpFrom('127.0.0.2');
    optionsBurst(other, sip, 3, 'other');
    expect((await drain(other)).map(startLine)).toEqual(Array(3).fill('SIP/2.0 200 OK'));
    expect(await metric('presence_rate_limited_total', { transport: 'udp', action: 'drop' })).toBe(15);
    expect(await metric('presence_rate_limited_total', { transport: 'udp', action: 'reject' })).toBe(0);
    expect(await metric('presence_rate_limit_sources')).toBe(2);
  });

  it('rate limit - over UDP (by default) and TCP an over-limit source gets 503 with Retry-After; an exempt source is never limited', async () => {
    const { sip, metric } = await startStandalone([...NO_REFILL, '--rate-limit-burst', '2', '--rate-limit-exempt', '127.0.0.3/32']);
    const udp = await udpFrom('127.0.0.1');
    optionsBurst(udp, sip, 3, 'udp');
    // The refusal is answered at once, ahead of the two let in (they wait for their turn).
    const udpAnswers = await drain(udp);
    expect(udpAnswers.map(startLine).sort()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'SIP/2.0 503 Rate Limit Exceeded']);
    const refusal = udpAnswers.find((a) => a.startsWith('SIP/2.0 503')) ?? '';
    expect(refusal).toMatch(/\r\nRetry-After: 100\r\n/); // the next token, at 0.01/s
    expect(refusal).toContain('Call-ID: udp-2\r\n');

    // The same address over TCP shares its (empty) bucket.
    const tcp = await tcpTo(sip);
    tcp.send(requestText({ transport: 'TCP', sentBy: `127.0.0.1:${tcp.port}`, branch: 'z9hG4bKtcp1', callId: 'tcp-1' }));
    const tcpAnswer = await tcp.next();
    expect(startLine(tcpAnswer)).toBe('SIP/2.0 503 Rate Limit Exceeded');
    expect(tcpAnswer).toMatch(/\r\nRetry-After: \d+\r\n/);

    const exempt = await udpFrom('127.0.0.3');
    optionsBurst(exempt, sip, 10, 'exempt');
    expect((await drain(exempt)).map(startLine)).toEqual(Array(10).fill('SIP/2.0 200 OK'));
    expect(await metric('presence_rate_limited_total', { transport: 'udp', action: 'reject' })).toBe(1);
    expect(await metric('presence_rate_limited_total', { transport: 'tcp', action: 'reject' })).toBe(1);
    expect(await metric('presence_sip_responses_total', { method: 'OPTIONS', code: '503' })).toBe(2);
  });

  it('overload - past --overload-pending a new SUBSCRIBE gets 503 + Retry-After while a refresh of an existing dialog gets 200', async () => {
    const { sip, metric } = await startStandalone(['--rate-limit', '0', '--overload-pending', '1', '--overload-retry-after', '7']);
    expect(await metric('presence_overload_active')).toBe(0);
    const watcher: TestUa = await createTestUa({ transport: 'tcp', server: { host: '127.0.0.1', port: sip }, aor: 'sip:w@example.com' });
    closers.push(() => watcher.close());
    const { response, dialog } = await watcher.subscribe('sip:p1@example.com', { expires: 600 });
    expect(response.status).toBe(200);
    const toTag = /;tag=([^;>\s]+)/.exec(response.header('to') ?? '')?.[1];
    const fromTag = /;tag=([^;>\s]+)/.exec(response.header('from') ?? '')?.[1];
    expect(toTag).toBeDefined();

    // One write: read and queued together, so from the third on, more than one request is pending.
    const burst = await tcpTo(sip);
    const subscribe = (callId: string, to: string, from: string, cseq: number) =>
      requestText({
        method: 'SUBSCRIBE',
        uri: 'sip:p1@example.com',
        transport: 'TCP',
        sentBy: `127.0.0.1:${burst.port}`,
        branch: `z9hG4bK${callId}-${cseq}`,
        callId,
        cseq: `${cseq} SUBSCRIBE`,
        extra: [`To: ${to}`, `From: ${from}`, 'Event: presence', 'Expires: 600', `Contact: <sip:w@127.0.0.1:${burst.port};transport=tcp>`],
        omit: ['To', 'From'],
      });
    const fresh = Array.from({ length: 10 }, (_, i) => subscribe(`new-${i}`, '<sip:p1@example.com>', `<sip:n${i}@example.com>;tag=n${i}`, 1));
    const refresh = subscribe(dialog.callId, `<sip:p1@example.com>;tag=${toTag}`, `<sip:w@example.com>;tag=${fromTag}`, 50);
    burst.send([...fresh, refresh, subscribe('new-last', '<sip:p1@example.com>', '<sip:last@example.com>;tag=l', 1)].join(''));

    const answers = (await drain(burst)).filter((message) => message.startsWith('SIP/2.0 '));
    const answerTo = (callId: string) => answers.find((a) => a.includes(`\r\nCall-ID: ${callId}\r\n`));
    expect(startLine(answerTo(dialog.callId) ?? '')).toBe('SIP/2.0 200 OK');
    const last = answerTo('new-last') ?? '';
    expect(startLine(last)).toBe('SIP/2.0 503 Overloaded');
    expect(last).toMatch(/\r\nRetry-After: 7\r\n/);
    const refused = answers.filter((a) => startLine(a) === 'SIP/2.0 503 Overloaded').length;
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(await metric('presence_overload_refusals_total', { method: 'SUBSCRIBE' })).toBe(refused);
    expect(await metric('presence_overload_entries_total', { cause: 'pending' })).toBeGreaterThanOrEqual(1);
    // Overload ends once nothing is pending for the hold time (2 s).
    await eventually(async () => expect(await metric('presence_overload_active')).toBe(0), { timeoutMs: 10_000, intervalMs: 200 });
    expect((await watcher.subscribe('sip:p2@example.com', { expires: 600 })).response.status).toBe(200);
  });
});
