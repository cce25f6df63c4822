import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { rawTcp, rawUdp, requestText, startLine } from '@presence/testkit';
import { createSipStack } from './sip-stack.js';
import type { SipStack } from './stack-types.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function server(maxMessageBytes?: number): Promise<{ stack: SipStack; udp: number; tcp: number; ws: number }> {
  const stack = createSipStack({
    listen: [
      { transport: 'udp', host: '127.0.0.1', port: 0 },
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'ws', host: '127.0.0.1', port: 0 },
    ],
    onRequest: (r) => r.respond(200, undefined, { body: r.body }),
    limits: maxMessageBytes === undefined ? undefined : { maxMessageBytes },
  });
  cleanup.push(() => stack.stop());
  const [udp, tcp, ws] = await stack.start();
  return { stack, udp: udp!.port, tcp: tcp!.port, ws: ws!.port };
}

function wsClient(port: number, protocols?: string | string[]): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, protocols);
  cleanup.push(async () => {
    ws.terminate();
    if (ws.readyState !== WebSocket.CLOSED) await once(ws, 'close');
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('robustness', () => {
  it('garbage - unparsable bytes on every transport are dropped and the stack keeps serving', async () => {
    const { stack, udp, tcp, ws } = await server();
    const peer = await rawUdp();
    cleanup.push(() => peer.close());
    for (const junk of ['', 'hello', '\x00\xff\r\n\r\n', 'INVITE\r\n\r\n', 'SIP/2.0 200\r\nVia: x\r\n\r\n']) {
      peer.send(Buffer.from(junk, 'latin1'), udp);
    }
    const socket = new WebSocket(`ws://127.0.0.1:${ws}`, 'sip');
    await once(socket, 'open');
    socket.send('garbage that is not SIP');
    socket.send(Buffer.from([0xc3, 0x28, 0x0d, 0x0a, 0x0d, 0x0a]));
    const tcpPeer = await rawTcp(tcp);
    tcpPeer.send('\x16\x03\x01 TLS hello?\r\n\r\n');
    await tcpPeer.closed; // unparsable stream: connection closed

    peer.send('OPTIONS sip:a@b SIP/2.0\r\nVia: ;;;\r\nCall-ID: x\r\n\r\n', udp);
    expect(startLine(await peer.next())).toBe('SIP/2.0 400 Malformed Via');
    peer.send(requestText({ branch: 'z9hG4bKafter' }), udp);
    expect(startLine(await peer.next())).toBe('SIP/2.0 200 OK');
    socket.send(requestText({ transport: 'WS', branch: 'z9hG4bKws' }));
    const [reply] = (await once(socket, 'message')) as [Buffer];
    expect(startLine(reply.toString())).toBe('SIP/2.0 200 OK');
    socket.terminate();
    expect(stack.counters.messagesDropped).toBe(7); // 4 UDP + 2 WS + 1 TCP (the empty datagram is a keep-alive)
  });

  it('controls - a control character anywhere in the head gets 400 naming the header, and the 400 does not echo it', async () => {
    const { stack, udp } = await server();
    const peer = await rawUdp();
    cleanup.push(() => peer.close());
    const to = (value: string) => (text: string) => text.replace('To: <sip:server@example.com>', `To: ${value}`);
    const cases: [string, string][] = [
      [requestText({ extra: ['Event: presence;id=1\nX'] }), 'Malformed Event'],
      [requestText({ callId: 'abc\rdef' }), 'Malformed Call-ID'],
      [to('<sip:server@example.com;x=a\nb>')(requestText()), 'Malformed To'],
      [to('<sip:server@example.com>;x=a\nb')(requestText()), 'Malformed To'],
      [requestText({ extra: ['Contact: <sip:w@127.0\r.0.1:5099>'] }), 'Malformed Contact'],
      [requestText().replace('From: <sip:raw@example.com>', 'From: <sip:raw\u0000@example.com>'), 'Malformed From'],
      [requestText({ extra: ['User-Agent: bell\u0007'] }), 'Malformed User-Agent'],
      [requestText({ extra: ['Subject: folded', ' over\nlines'] }), 'Malformed Subject'],
      [requestText({ uri: 'sip:a\nb@c' }), 'Malformed Request-URI'],
      [requestText({ callId: 'lone-cr-at-the-end\r' }), 'Malformed Call-ID'],
      [requestText({ sentBy: '127.0.0.1:5999;x=\u0001' }), 'Malformed Via'],
    ];
    let n = 0;
    for (const [text, reason] of cases) {
      peer.send(text.replace('z9hG4bKraw1', `z9hG4bKctl${++n}`), udp);
      const response = await peer.next();
      expect(startLine(response), reason).toBe(`SIP/2.0 400 ${reason}`);
      expect(response, reason).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/);
    }
    expect(peer.received[1]).toContain('\r\nCall-ID: abc def\r\n');
    peer.send(requestText({ branch: 'z9hG4bKafter' }), udp);
    expect(startLine(await peer.next())).toBe('SIP/2.0 200 OK');
    expect(stack.counters.messagesDropped).toBe(0);
  });

  it('internal error - a failure of our own code on a received message costs that message, on every transport', async () => {
    const failures: unknown[] = [];
    let failNext = false;
    const stack = createSipStack({
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 0 },
        { transport: 'tcp', host: '127.0.0.1', port: 0 },
        { transport: 'ws', host: '127.0.0.1', port: 0 },
      ],
      onRequest: (r) => r.respond(200),
      onInternalError: (error) => failures.push(error),
      // The intake logs a request it refuses before answering it: a throw there escapes to the transport.
      logger: {
        debug: () => {
          if (failNext) {
            failNext = false;
            throw new Error('bug while refusing a request');
          }
        },
        warn: () => undefined,
        error: () => undefined,
      },
    });
    cleanup.push(() => stack.stop());
    const [udp, tcp, ws] = (await stack.start()).map((l) => l.port);
    const bad = (transport: string) => requestText({ transport, branch: `z9hG4bKbad${transport}`, omit: ['CSeq'] });

    const peer = await rawUdp();
    cleanup.push(() => peer.close());
    failNext = true;
    peer.send(bad('UDP'), udp!);
    await peer.silence(100);
    peer.send(requestText({ branch: 'z9hG4bKgood' }), udp!);
    expect(startLine(await peer.next())).toBe('SIP/2.0 200 OK');

    const socket = await wsClient(ws!, 'sip');
    failNext = true;
    socket.send(bad('WS'));
    socket.send(requestText({ transport: 'WS', branch: 'z9hG4bKgoodws' }));
    const [reply] = (await once(socket, 'message')) as [Buffer];
    expect(startLine(reply.toString())).toBe('SIP/2.0 200 OK');

    const stream = await rawTcp(tcp!);
    failNext = true;
    stream.send(bad('TCP'));
    await stream.closed; // where the stream stands is lost with the message: the connection is closed
    expect(failures).toHaveLength(3);
    expect(stack.counters.internalErrors).toBe(3);
  });

  it('limits - oversize UDP datagram is dropped, oversize TCP request is answered 513 and WS frame close the connection', async () => {
    const { stack, udp, tcp, ws } = await server(2048);
    const big = requestText({ method: 'MESSAGE', body: 'x'.repeat(4000) });
    const peer = await rawUdp();
    cleanup.push(() => peer.close());
    peer.send(big, udp);
    await peer.silence(100);
    expect(stack.counters.messagesDropped).toBe(1);

    const tcpPeer = await rawTcp(tcp);
    tcpPeer.send(big.slice(0, 1500)); // head announces 4000 bytes: refused before the body arrives
    await tcpPeer.closed;
    expect(tcpPeer.received.map(startLine)).toEqual(['SIP/2.0 513 Message Too Large']); // RFC 3261 §21.5.14

    const tcpNoLength = await rawTcp(tcp);
    tcpNoLength.send(requestText({ transport: 'TCP', omit: ['Content-Length'] }));
    await tcpNoLength.closed; // RFC 3261 §18.3: Content-Length is mandatory on streams

    const socket = await wsClient(ws, 'sip');
    socket.send(big);
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1009);
    expect(stack.counters.messagesDropped).toBe(3); // the 513 answered its request: not dropped
  });

  it('ws - the upgrade is refused without subprotocol sip', async () => {
    const { ws } = await server();
    await expect(wsClient(ws)).rejects.toThrow(/400/);
    await expect(wsClient(ws, 'chat')).rejects.toThrow(/400/);
    const ok = await wsClient(ws, ['chat', 'sip']);
    expect(ok.protocol).toBe('sip');
  });

  it('bind - a port in use rejects naming the address and closes what was opened', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    cleanup.push(() => new Promise((r) => blocker.close(() => r())));
    const taken = (blocker.address() as { port: number }).port;
    const stack = createSipStack({
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 0 },
        { transport: 'tcp', host: '127.0.0.1', port: taken },
      ],
      onRequest: () => undefined,
    });
    await expect(stack.start()).rejects.toThrow(`cannot listen on tcp:127.0.0.1:${taken}: EADDRINUSE`);
    expect(stack.listeners).toEqual([]);
    await stack.stop();
  });
});

