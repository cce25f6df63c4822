import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipResponse } from '../message/message-types.js';
import { synthesizeResponse } from '../message/response-view.js';
import type { InternalFlow } from '../transport/internal-flow.js';
import type { HeaderMap } from '../wire/header-names.js';
import { ClientTransaction, ClientTransactions } from './client-transactions.js';
import { ServerTransactions } from './server-transactions.js';
import { resolveTimers } from './timer-config.js';

// T1 100, T2 400, T4 500: Timer F = Timer J = 6400 ms.
const timers = resolveTimers({ t1Ms: 100, t2Ms: 400, t4Ms: 500 });
const HEADERS = { From: '<sip:a@x>;tag=1', To: '<sip:b@x>;tag=2', 'Call-ID': 'c1', CSeq: '3 NOTIFY' };
const VIA = 'SIP/2.0/UDP h;branch=z9hG4bKt1';
const events = { logger: undefined, requestSent() {}, timedOut() {}, transportFailed() {}, responseSent() {} };

/** A flow recording the fake-clock time of each send. */
function fakeFlow(reliable: boolean): InternalFlow & { sent: number[] } {
  const sent: number[] = [];
  const send = (): boolean => (sent.push(performance.now()), true);
  const address = { remoteAddress: '127.0.0.1', remotePort: 5060, localAddress: '127.0.0.1', localPort: 5060 };
  return { transport: reliable ? 'tcp' : 'udp', ...address, token: 't', reliable, send, users: undefined, sent };
}

function startClient(reliable: boolean) {
  const client = new ClientTransactions(timers, events);
  const flow = fakeFlow(reliable);
  const responses: [number, number][] = [];
  const resolve = (r: SipResponse): number => responses.push([r.status, performance.now()]);
  const branch = client.newBranch('z9hG4bKt1');
  client.start(new ClientTransaction(branch, 'NOTIFY', Buffer.from('NOTIFY'), flow, HEADERS, VIA, resolve, client));
  const respond = (status: number, headers: Record<string, string> = HEADERS): boolean => client.onResponse(branch, synthesizeResponse(status, 'x', headers, VIA));
  return { client, flow, responses, respond };
}

/**
 * A retransmission goes out in the setImmediate after Timer E fires (after
 * that turn's socket reads); the fake clock runs a callback queued during a
 * tick 1 ms later, where the real loop runs it in the same turn. The Timer E
 * schedule itself does not move: each interval counts from when it fired.
 */
function retransmittedAt(firedAt: number[]): number[] {
  return firedAt.map((at, i) => (i === 0 ? at : at + 1));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('client transaction timers (RFC 3261 §17.1.2)', () => {
  it('Timer E doubles up to T2 over UDP; Timer F synthesizes a 408', () => {
    const { client, flow, responses } = startClient(false);
    vi.advanceTimersByTime(6399);
    expect(flow.sent).toEqual(retransmittedAt([0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300]));
    expect(responses).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(responses).toEqual([[408, 6400]]);
    expect(client.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('in Proceeding, Timer E is T2; a final response stops it, Timer K removes the transaction', () => {
    const { client, flow, responses, respond } = startClient(false);
    vi.advanceTimersByTime(50);
    expect(respond(180)).toBe(true);
    vi.advanceTimersByTime(1251); // the retransmission armed before the 180 (at T1), then every T2
    expect(flow.sent).toEqual(retransmittedAt([0, 100, 500, 900, 1300]));
    expect(respond(200)).toBe(true);
    expect(responses).toEqual([[200, 1301]]);
    vi.advanceTimersByTime(499);
    expect(respond(200)).toBe(true); // retransmitted final response absorbed
    expect(respond(200, { ...HEADERS, CSeq: '3 MESSAGE' })).toBe(false); // §17.1.3: the CSeq method must match too
    expect(client.size).toBe(1);
    vi.advanceTimersByTime(1);
    expect(client.size).toBe(0);
    expect(respond(200)).toBe(false);
    expect(flow.sent.length).toBe(5);
    expect(responses.length).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('over a reliable flow: no retransmission, removed on the final response', () => {
    const { client, flow, responses, respond } = startClient(true);
    vi.advanceTimersByTime(1000);
    expect(flow.sent).toEqual([0]);
    respond(200);
    expect(client.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(responses).toEqual([[200, 1000]]);
  });

  it('stop fails pending transactions with 503 and leaves no timer', () => {
    const { client, responses } = startClient(false);
    client.stop();
    expect(responses).toEqual([[503, 0]]);
    expect(client.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('server transaction timers (RFC 3261 §17.2.2)', () => {
  const fields: HeaderMap = new Map([['cseq', ['3 NOTIFY']]]);

  it('unanswered: dropped 64*T1 after creation', () => {
    const server = new ServerTransactions(timers, events);
    const tx = server.create('k', 'NOTIFY', fakeFlow(false), fields, [VIA]);
    vi.advanceTimersByTime(6399);
    expect(server.find('k')).toBe(tx);
    vi.advanceTimersByTime(1);
    expect(server.size).toBe(0);
    expect(tx.ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('UDP: Timer J keeps it 64*T1 after the final response, absorbing retransmissions', () => {
    const server = new ServerTransactions(timers, events);
    const flow = fakeFlow(false);
    const tx = server.create('k', 'NOTIFY', flow, fields, [VIA]);
    vi.advanceTimersByTime(1000);
    server.respond(tx, 200, undefined, undefined);
    vi.advanceTimersByTime(6399);
    server.retransmit(server.find('k')!);
    expect(flow.sent).toEqual([1000, 7399]);
    vi.advanceTimersByTime(1);
    expect(server.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reliable: Timer J = 0; stop ends the others and leaves no timer', () => {
    const server = new ServerTransactions(timers, events);
    const tx = server.create('k', 'NOTIFY', fakeFlow(true), fields, [VIA]);
    server.respond(tx, 200, undefined, undefined);
    expect(server.size).toBe(0);
    const pending = server.create('k2', 'NOTIFY', fakeFlow(false), fields, [VIA]);
    expect(vi.getTimerCount()).toBe(1);
    server.stop();
    expect(pending.ended).toBe(true);
    expect(server.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
