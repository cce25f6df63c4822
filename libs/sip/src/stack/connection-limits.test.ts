import { connect } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { eventually, rawTcp, requestText, startLine, type RawTcp } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConnectionClosedReason, ConnectionLimits, ConnectionRefusedReason } from '../transport/connection-limits.js';
import type { IncomingRequest } from '../message/message-types.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack } from './stack-types.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Limited {
  stack: SipStack;
  tcp: number;
  ws: number;
  refused: ConnectionRefusedReason[];
  closed: ConnectionClosedReason[];
  requests: IncomingRequest[];
}

async function limited(connections: ConnectionLimits, maxMessageBytes?: number): Promise<Limited> {
  const refused: ConnectionRefusedReason[] = [];
  const closed: ConnectionClosedReason[] = [];
  const requests: IncomingRequest[] = [];
  const stack = createSipStack({
    listen: [
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'ws', host: '127.0.0.1', port: 0 },
    ],
    onRequest: (r) => {
      requests.push(r);
      r.respond(200);
    },
    connections,
    limits: maxMessageBytes === undefined ? undefined : { maxMessageBytes },
    onConnectionRefused: (reason) => refused.push(reason),
    onConnectionClosed: (reason) => closed.push(reason),
  });
  cleanup.push(() => stack.stop());
  const [tcp, ws] = await stack.start();
  return { stack, tcp: tcp!.port, ws: ws!.port, refused, closed, requests };
}

async function peer(port: number): Promise<RawTcp> {
  const socket = await rawTcp(port);
  cleanup.push(() => socket.close());
  return socket;
}

/** A peer whose request was answered: the server holds its connection. */
async function answeredPeer(port: number, branch: string): Promise<RawTcp> {
  const socket = await peer(port);
  socket.send(requestText({ transport: 'TCP', branch }));
  expect(startLine(await socket.next())).toBe('SIP/2.0 200 OK');
  return socket;
}

/** A WebSocket client; resolves when the server closes or refuses it. */
function wsClosed(port: number): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
  ws.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  cleanup.push(async () => {
    ws.terminate();
    await closed;
  });
  return closed;
}

describe('connection limits', () => {
  it('per address - the connection past the limit is refused and counted; one closing frees its place', async () => {
    const server = await limited({ maxConnectionsPerAddress: 2 });
    const first = await answeredPeer(server.tcp, 'z9hG4bKpa1');
    await answeredPeer(server.tcp, 'z9hG4bKpa2');
    const third = await peer(server.tcp);
    await third.closed;
    expect(server.refused).toEqual(['per_address_limit']);

    await wsClosed(server.ws); // the limit spans transports
    expect(server.refused).toEqual(['per_address_limit', 'per_address_limit']);

    await first.close();
    await eventually(() => expect(server.stack.stats().connections.get('tcp')).toBe(1));
    await answeredPeer(server.tcp, 'z9hG4bKagain');
    expect(server.refused).toHaveLength(2);
  });

  it('global - the connection past the total is refused and counted', async () => {
    const server = await limited({ maxConnections: 1 });
    await answeredPeer(server.tcp, 'z9hG4bKg1');
    const second = await peer(server.tcp);
    await second.closed;
    expect(server.refused).toEqual(['global_limit']);
  });

  it('header timeout - a head dripped slowly is closed once the timeout passes, however often bytes come', async () => {
    const server = await limited({ headerTimeoutMs: 300 });
    const slow = await peer(server.tcp);
    const lines = requestText({ transport: 'TCP' }).split('\r\n').map((line) => `${line}\r\n`);
    slow.send(lines[0]!);
    let sent = 1;
    const drip = setInterval(() => {
      // Never the blank line that ends the head: the slow-loris keeps it open only by trickling.
      slow.send(`X-Drip-${sent++}: ${'a'.repeat(10)}\r\n`);
    }, 50);
    cleanup.push(async () => clearInterval(drip));
    await slow.closed;
    clearInterval(drip);
    expect(server.closed).toEqual(['header_timeout']);
    expect(server.requests).toHaveLength(0);
  });

  it('header timeout - a WebSocket upgrade head dripped slowly is closed', async () => {
    const server = await limited({ headerTimeoutMs: 300 });
    const slow = await peer(server.ws);
    slow.send('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let sent = 0;
    const drip = setInterval(() => slow.send(`X-Drip-${sent++}: a\r\n`), 50);
    cleanup.push(async () => clearInterval(drip));
    await slow.closed;
    clearInterval(drip);
    expect(server.closed).toEqual(['header_timeout']);
  });

  it('idle - a connection that never completes a request is closed; one that did stays and receives NOTIFYs', async () => {
    const server = await limited({ idleTimeoutMs: 400 });
    const subscriber = await answeredPeer(server.tcp, 'z9hG4bKsub');
    const flow = server.requests[0]!.flow.token;
    const silent = await peer(server.tcp);
    const ws = wsClosed(server.ws);
    await silent.closed;
    await ws;
    expect(server.closed).toEqual(['idle_timeout', 'idle_timeout']);

    // The subscriber connected first, so its idle timeout has passed too: it is still served.
    const notify = server.stack.sendRequest(
      { method: 'NOTIFY', uri: 'sip:raw@127.0.0.1', headers: { From: '<sip:server@example.com>;tag=s1', To: '<sip:raw@example.com>;tag=rawtag', 'Call-ID': 'n1', CSeq: '1 NOTIFY' } },
      { flow },
    );
    const received = await subscriber.next();
    expect(startLine(received)).toBe('NOTIFY sip:raw@127.0.0.1 SIP/2.0');
    const branch = /branch=([^;\r\n]+)/.exec(received)![1]!;
    subscriber.send(
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP ${/Via: SIP\/2.0\/TCP ([^;]+)/.exec(received)![1]};branch=${branch}\r\nFrom: <sip:server@example.com>;tag=s1\r\nTo: <sip:raw@example.com>;tag=rawtag\r\nCall-ID: n1\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n`,
    );
    expect((await notify).status).toBe(200);
    expect(server.closed).toEqual(['idle_timeout', 'idle_timeout']);
  });

  it('size - a request whose Content-Length passes the limit is answered 513, then the connection closes', async () => {
    const server = await limited({}, 1024);
    const big = await peer(server.tcp);
    big.send(requestText({ transport: 'TCP', method: 'MESSAGE', omit: ['Content-Length'], extra: ['Content-Length: 5000'] }));
    expect(startLine(await big.next())).toBe('SIP/2.0 513 Message Too Large');
    await big.closed;
    expect(server.closed).toEqual(['message_too_large']);
    expect(server.requests).toHaveLength(0);
  });

  it('write queue - a peer that stops reading is disconnected once what waits for it passes the bound', async () => {
    const server = await limited({ maxQueuedBytes: 256 * 1024 });
    // A plain socket nobody reads from: what we send piles up in the kernel, then in our queue.
    const reader = connect({ host: '127.0.0.1', port: server.tcp });
    reader.on('error', () => undefined);
    const readerClosed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
    cleanup.push(async () => {
      reader.destroy();
      await readerClosed;
    });
    reader.write(requestText({ transport: 'TCP', branch: 'z9hG4bKslow' }));
    await eventually(() => expect(server.requests).toHaveLength(1));
    const flow = server.requests[0]!.flow.token;
    const body = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 5_000 && !server.closed.includes('write_queue_full'); i++) {
      const headers = { From: '<sip:s@example.com>;tag=s', To: '<sip:raw@example.com>', 'Call-ID': `q${i}`, CSeq: '1 NOTIFY', 'Content-Type': 'text/plain' };
      server.stack.sendRequest({ method: 'NOTIFY', uri: 'sip:raw@127.0.0.1', headers, body }, { flow }).catch(() => undefined);
      await nextTurn(); // lets the socket hand what it can to the kernel, as NOTIFYs spread over time would
    }
    expect(server.closed).toEqual(['write_queue_full']);
    // The reader never reads, so it would never see our FIN: the server's side is what is checked.
    await eventually(() => expect(server.stack.stats().connections.get('tcp')).toBe(0));
  });

  it('write queue - a WebSocket peer that stops reading is disconnected too', async () => {
    const server = await limited({ maxQueuedBytes: 256 * 1024 });
    const ws = new WebSocket(`ws://127.0.0.1:${server.ws}`, 'sip');
    ws.on('error', () => undefined);
    cleanup.push(async () => ws.terminate());
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(requestText({ transport: 'WS', branch: 'z9hG4bKwsslow' }));
    await eventually(() => expect(server.requests).toHaveLength(1));
    ws.pause(); // reads nothing more from its socket
    const flow = server.requests[0]!.flow.token;
    const body = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 5_000 && !server.closed.includes('write_queue_full'); i++) {
      const headers = { From: '<sip:s@example.com>;tag=s', To: '<sip:raw@example.com>', 'Call-ID': `w${i}`, CSeq: '1 NOTIFY', 'Content-Type': 'text/plain' };
      server.stack.sendRequest({ method: 'NOTIFY', uri: 'sip:raw@127.0.0.1', headers, body }, { flow }).catch(() => undefined);
      await nextTurn();
    }
    expect(server.closed).toEqual(['write_queue_full']);
    await eventually(() => expect(server.stack.stats().connections.get('ws')).toBe(0));
  });
});
