import { createSocket } from 'node:dgram';
import type { LookupOneOptions } from 'node:dns';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sleep } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeResponse } from '../message/response-view.js';
import type { SipResponse } from '../message/message-types.js';
import type { FlowUser, InternalFlow } from '../transport/internal-flow.js';
import { ClientTransaction, ClientTransactions } from './client-transactions.js';

/**
 * RFC 3261 §17.1.2.2: a client transaction that has its final response stops
 * retransmitting. These drive ClientTransactions with an in-memory flow that
 * counts sends, so a 2xx can be handed over at the exact moments that matter:
 * while send() runs, in the same tick after start(), and in the turn Timer E
 * falls due.
 */
const T1 = 5;
const timers = { t1: T1, t2: 4 * T1, t4: 50, timerF: 64 * T1, timerJ: 64 * T1 };
const HEADERS = { From: '<sip:a@example.com>;tag=1', To: '<sip:b@example.com>;tag=2', 'Call-ID': 'tx-test', CSeq: '3 NOTIFY' };
const VIA = 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtest';

class CountingFlow implements InternalFlow {
  readonly transport = 'udp';
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 5099;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 5060;
  readonly token = 'udp|0|5099|127.0.0.1';
  readonly users: Set<FlowUser> | undefined = undefined;
  sends = 0;
  /** Runs inside send(), before it returns: a peer that answers at once. */
  onSend: (() => void) | undefined;

  constructor(readonly reliable = false) {}

  send(): boolean {
    this.sends++;
    this.onSend?.();
    return true;
  }
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function setup(reliable = false) {
  const events = { logger: undefined, requestSent: () => {}, timedOut: () => {}, transportFailed: () => {} };
  const transactions = new ClientTransactions(timers, events);
  cleanup.push(() => transactions.stop());
  const flow = new CountingFlow(reliable);
  const responses: SipResponse[] = [];
  const branch = transactions.newBranch('z9hG4bKtest');
  const tx = new ClientTransaction(branch, 'NOTIFY', Buffer.from('NOTIFY'), flow, HEADERS, VIA, (r) => responses.push(r), transactions);
  const ok = () => transactions.onResponse(branch, synthesizeResponse(200, 'OK', HEADERS, VIA));
  return { transactions, flow, tx, responses, ok };
}

/** Answers IP literals at once, so send() hands the datagram to the kernel before it returns. */
function literalLookup(address: string, _options: LookupOneOptions, callback: (err: null, address: string, family: number) => void): void {
  callback(null, address, 4);
}


/** Blocks the event loop, as a burst of work does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('client transactions: no retransmission after the final response', () => {
  it('client transaction - a 2xx handed over while send() runs (before start() returns) ends it: nothing is sent again', async () => {
    const { transactions, flow, tx, responses, ok } = setup();
    flow.onSend = () => {
      flow.onSend = undefined;
      expect(ok()).toBe(true);
    };
    transactions.start(tx);
    expect(responses.map((r) => r.status)).toEqual([200]);
    await sleep(20 * T1);
    expect(flow.sends).toBe(1);
  });

  it('client transaction - a 2xx in the same tick right after start() ends it: nothing is sent again', async () => {
    const { transactions, flow, tx, responses, ok } = setup();
    transactions.start(tx);
    expect(ok()).toBe(true);
    expect(responses.map((r) => r.status)).toEqual([200]);
    // a retransmitted 2xx is absorbed (Timer K), not resolved twice
    expect(ok()).toBe(true);
    expect(responses).toHaveLength(1);
    await sleep(20 * T1);
    expect(flow.sends).toBe(1);
  });

  it('client transaction - a 2xx already waiting in a socket when Timer E falls due wins over the retransmission', async () => {
    const { transactions, flow, tx, responses, ok } = setup();
    // The answer travels through a real socket, so it is read in an I/O callback.
    const socket = createSocket({ type: 'udp4', lookup: literalLookup }).on('message', () => ok());
    cleanup.push(() => socket.close());
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    transactions.start(tx);
    socket.send('200', socket.address().port, '127.0.0.1');
    // A burst of work keeps the loop busy past T1: when it turns again, Node
    // runs the overdue Timer E before it reads the answer from the socket.
    busy(3 * T1);
    await sleep(20 * T1);
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(flow.sends).toBe(1);
  });

  it('client transaction - without an answer Timer E still retransmits (doubling, from T1)', async () => {
    const { transactions, flow, tx, responses } = setup();
    transactions.start(tx);
    await sleep(12 * T1);
    expect(responses).toHaveLength(0);
    expect(flow.sends).toBeGreaterThanOrEqual(3);
  });

  it('client transaction - reliable flows never retransmit', async () => {
    const { transactions, flow, tx } = setup(true);
    transactions.start(tx);
    await sleep(20 * T1);
    expect(flow.sends).toBe(1);
  });
});

/** V8's collector, reachable without starting node with --expose-gc: the flag counts for contexts made after it is set. */
function collector(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

describe('client transactions: what Timer K keeps', () => {
  it('client transaction - once completed over UDP nothing holds it, its request or the response it resolved with', async () => {
    const gc = collector();
    const events = { logger: undefined, requestSent: () => {}, timedOut: () => {}, transportFailed: () => {} };
    const transactions = new ClientTransactions(timers, events);
    cleanup.push(() => transactions.stop());
    const flow = new CountingFlow();
    const branch = transactions.newBranch('z9hG4bKkept');
    // Resolved as the stack resolves its callers: a promise's resolver keeps the value it was given.
    const answer = async () => {
      let tx: ClientTransaction | undefined;
      const answered = new Promise<SipResponse>((resolve) => {
        tx = new ClientTransaction(branch, 'NOTIFY', Buffer.from('NOTIFY'), flow, HEADERS, VIA, resolve, transactions);
        transactions.start(tx);
      });
      const ok = synthesizeResponse(200, 'OK', HEADERS, VIA);
      transactions.onResponse(branch, ok);
      return { status: (await answered).status, response: new WeakRef(ok), transaction: new WeakRef(tx!) };
    };
    const { status, response, transaction } = await answer();
    expect(status).toBe(200);
    await sleep(0);
    gc();

    expect(transactions.size).toBe(1); // Timer K still absorbs a retransmitted 200
    expect(transactions.onResponse(branch, synthesizeResponse(200, 'OK', HEADERS, VIA))).toBe(true);
    expect(response.deref()).toBeUndefined();
    expect(transaction.deref()).toBeUndefined();
  });
});
