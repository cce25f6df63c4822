import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingRequest } from '../message/message-types.js';
import { rawUdp, type RawUdp } from '@presence/testkit';
import { createSipStack } from './sip-stack.js';
import type { SipStack, SipStackOptions } from './stack-types.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const OPTIONS: OutgoingRequest = {
  method: 'OPTIONS',
  uri: 'sip:peer@127.0.0.1',
  headers: { From: '<sip:me@example.com>;tag=1', To: '<sip:peer@example.com>', 'Call-ID': 'ct-1', CSeq: '7 OPTIONS' },
};

async function stack(options: Partial<SipStackOptions> = {}): Promise<SipStack> {
  const s = createSipStack({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], onRequest: (r) => r.respond(200), ...options });
  cleanup.push(() => s.stop());
  await s.start();
  return s;
}

async function peer(): Promise<RawUdp> {
  const p = await rawUdp();
  cleanup.push(() => p.close());
  return p;
}

/** Answers `text` (a request) with a response carrying its Via, From, To, Call-ID and CSeq. */
function answer(text: string, status: string): string {
  const keep = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  return `SIP/2.0 ${status}\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

describe('client transactions', () => {
  it('client transaction - Timer F gives a synthesized 408 after UDP retransmissions (Timer E)', async () => {
    const s = await stack({ timers: { t1Ms: 10, t2Ms: 40 } });
    const p = await peer();
    const started = Date.now();
    const response = await s.sendRequest(OPTIONS, { uri: `sip:127.0.0.1:${p.port}` });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(408);
    expect(response.callId).toBe('ct-1');
    expect(response.cseq).toEqual({ seq: 7, method: 'OPTIONS' });
    expect(elapsed).toBeGreaterThanOrEqual(640 - 5);
    expect(elapsed).toBeLessThan(2000);
    // sends at 0, 10, 30, 70, 110, ... (doubling capped at T2 = 40 ms)
    expect(p.received.length).toBeGreaterThanOrEqual(10);
    expect(p.received.length).toBeLessThanOrEqual(20);
    expect(new Set(p.received).size).toBe(1);
    expect(s.counters.clientTimeouts).toBe(1);
  });

  it('client transaction - provisional responses do not resolve; final does; Via has branch and rport', async () => {
    const s = await stack();
    const p = await peer();
    const pending = s.sendRequest(OPTIONS, { uri: `sip:127.0.0.1:${p.port};transport=udp` });
    const sent = await p.next();
    expect(sent).toMatch(/^OPTIONS sip:peer@127\.0\.0\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK[0-9a-f]{24}_[0-9a-z]+;rport\r\n/);
    expect(sent).toContain('Max-Forwards: 70\r\n');
    let resolved = false;
    void pending.then(() => (resolved = true));
    p.send(answer(sent, '100 Trying'), s.listeners[0]!.port);
    await new Promise((r) => setTimeout(r, 50));
    expect(resolved).toBe(false);
    p.send(answer(sent, '486 Busy Here'), s.listeners[0]!.port);
    const response = await pending;
    expect(response.status).toBe(486);
    expect(response.reason).toBe('Busy Here');
  });

  it('client transaction - response with another CSeq method does not match', async () => {
    const s = await stack({ timers: { t1Ms: 5 } });
    const p = await peer();
    const pending = s.sendRequest(OPTIONS, { uri: `sip:127.0.0.1:${p.port}` });
    const sent = await p.next();
    p.send(answer(sent, '200 OK').replace('CSeq: 7 OPTIONS', 'CSeq: 7 MESSAGE'), s.listeners[0]!.port);
    expect((await pending).status).toBe(408);
  });

  it('client transaction - connection refused, no flow and a bad URI give 503', async () => {
    const s = await stack();
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    expect((await s.sendRequest(OPTIONS, { uri: `sip:127.0.0.1:${port};transport=tcp` })).status).toBe(503);
    expect((await s.sendRequest(OPTIONS, { flow: 'tcp|nope|1' })).status).toBe(503);
    expect((await s.sendRequest(OPTIONS, {})).status).toBe(503);
    expect((await s.sendRequest(OPTIONS, { uri: 'mailto:x' })).status).toBe(503);
    // A URI no socket can be opened to (the WebSocket URL is invalid): 503 as well, never a throw.
    expect((await s.sendRequest(OPTIONS, { uri: 'sip:x@h;transport=ws;maddr=[::1' })).status).toBe(503);
  });

  it('client transaction - a connection lost mid-transaction gives 503; stop() fails pending with 503', async () => {
    const s = await stack();
    let server: Server | undefined;
    const accepted: Socket[] = [];
    server = createServer((socket) => accepted.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(() => new Promise((r) => server!.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const pending = s.sendRequest(OPTIONS, { uri: `sip:127.0.0.1:${port};transport=tcp` });
    await new Promise((r) => setTimeout(r, 50));
    accepted[0]!.destroy();
    expect((await pending).status).toBe(503);

    const p = await peer();
    const stuck = s.sendRequest(OPTIONS, { uri: `sip:127.0.0.1:${p.port}` });
    await p.next();
    await s.stop();
    expect((await stuck).status).toBe(503);
  });

  it('client transaction - retransmissions carry the Buffer body as sent, even if the caller then reuses the buffer', async () => {
    const s = await stack({ timers: { t1Ms: 20 } });
    const p = await peer();
    const body = Buffer.from('<presence>first ✓</presence>', 'utf8');
    const pending = s.sendRequest({ ...OPTIONS, body }, { uri: `sip:127.0.0.1:${p.port}` });
    const first = await p.next();
    body.fill(0x2a);
    expect(await p.next()).toBe(first);
    expect(first).toMatch(/\r\nContent-Length: 30\r\n\r\n<presence>first ✓<\/presence>$/);
    p.send(answer(first, '200 OK'), s.listeners[0]!.port);
    expect((await pending).status).toBe(200);
  });

  it('client transaction - a UDP target given by host name is resolved, not taken for an address', async () => {
    const s = await stack();
    const p = await peer();
    const pending = s.sendRequest(OPTIONS, { uri: `sip:localhost:${p.port}` });
    const sent = await p.next();
    p.send(answer(sent, '200 OK'), s.listeners[0]!.port);
    expect((await pending).status).toBe(200);
  });

  it('client transaction - a failed UDP send is logged at debug, and only when debug is enabled', async () => {
    for (const debugEnabled of [true, false]) {
      const debug = vi.fn();
      const logger = { debug, warn: vi.fn(), error: vi.fn(), isLevelEnabled: () => debugEnabled };
      const s = await stack({ logger, timers: { t1Ms: 10 } });
      // Broadcast without SO_BROADCAST: the kernel refuses the datagram (EACCES, or ENETUNREACH without a route).
      const response = await s.sendRequest(OPTIONS, { uri: 'sip:255.255.255.255:5060' });
      expect(response.status).toBe(408);
      const failures = debug.mock.calls.filter(([, msg]) => msg === 'UDP send failed');
      if (debugEnabled) expect(failures.length).toBeGreaterThan(0);
      else expect(failures).toEqual([]);
    }
  });

  it('client transaction - header values with CR/LF are rejected', async () => {
    const s = await stack();
    await expect(s.sendRequest({ ...OPTIONS, headers: { ...OPTIONS.headers, Subject: 'a\r\nVia: evil' } }, { uri: 'sip:127.0.0.1:9' })).rejects.toThrow(
      /CR or LF/,
    );
  });
});
