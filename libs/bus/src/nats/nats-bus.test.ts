import { randomBytes } from 'node:crypto';
import { binaryGate, freePort, type NatsServerProcess, requireOrSkip, sleep, startNatsServer } from '@presence/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BusMessage } from '../bus.js';
import type { BusLogger } from '../bus-logger.js';
import { busContract } from '../bus.contract.js';
import { BusClosedError, BusTimeoutError, BusTransportError, NoRespondersError } from '../errors/bus-errors.js';
import { InvalidSubjectError } from '../errors/invalid-subject-error.js';
import { connectNatsBus, type NatsBus } from './nats-bus.js';
import type { NatsBusOptions } from './nats-bus-options.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (data: Uint8Array): string => decoder.decode(data);

/** Rejects when `work` does not settle within `ms`. */
async function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves at the bus's next reconnection. */
function nextReconnect(bus: NatsBus): Promise<void> {
  return new Promise((resolve) => {
    const off = bus.onReconnect(() => {
      off();
      resolve();
    });
  });
}

const natsTier = requireOrSkip(binaryGate('nats-server', 'apt-get install nats-server'), 'NATS tier');

describe.runIf(natsTier)('NatsBus', () => {
  let server: NatsServerProcess;

  /** Fast reconnects for tests; production defaults are 1 s + up to 1 s jitter. */
  const connectForTest = (options: Partial<NatsBusOptions> = {}): Promise<NatsBus> =>
    connectNatsBus({ servers: server.url, name: 'nats-bus-test', reconnectTimeWaitMs: 50, reconnectJitterMs: 50, drainTimeoutMs: 2_000, ...options });

  /** Restarts the server and waits until `buses` are connected again. */
  async function restartServer(...buses: NatsBus[]): Promise<void> {
    const back = Promise.all(buses.map(nextReconnect));
    await server.restart();
    await bounded(back, 10_000, 'the bus to reconnect');
  }

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  busContract('NatsBus', async () => {
    const bus = await connectForTest();
    return {
      bus,
      reconnect: () => restartServer(bus),
      cleanup: () => bus.close(),
    };
  });

  describe('NatsBus specifics', () => {
    const buses: NatsBus[] = [];
    let prefix: string;
    let serverDown = false;
    const subject = (rest: string): string => `${prefix}.${rest}`;

    async function open(options: Partial<NatsBusOptions> = {}): Promise<NatsBus> {
      const bus = await connectForTest(options);
      buses.push(bus);
      return bus;
    }

    /**
     * A round trip on the bus's own connection: the server handles one
     * connection's commands in order, so every subscription made on it before
     * is then visible to the other connections.
     */
    async function flushed(bus: NatsBus): Promise<void> {
      const probe = subject(`probe.${randomBytes(4).toString('hex')}`);
      const subscription = bus.subscribe(probe, (message) => message.respond(new Uint8Array(0)));
      await bus.request(probe, new Uint8Array(0), { timeoutMs: 2_000 });
      subscription.unsubscribe();
    }

    async function killServer(): Promise<void> {
      serverDown = true;
      await server.kill();
    }

    afterEach(async () => {
      if (serverDown) {
        serverDown = false;
        await server.restart();
      }
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
    });

    beforeEach(() => {
      // A fresh prefix per test, as in the contract suite.
      prefix = `s${randomBytes(6).toString('hex')}`;
    });

    it('request - a queue-group responder answers again after the server is killed and restarted', { timeout: 20_000 }, async () => {
      const agent = await open();
      const edge = await open();
      agent.subscribe(subject('pa.1'), (message) => message.respond(bytes('ok')), { queue: 'agents' });
      await flushed(agent);
      expect(text(await edge.request(subject('pa.1'), bytes(''), { timeoutMs: 2_000 }))).toBe('ok');

      const back = Promise.all([nextReconnect(agent), nextReconnect(edge)]);
      await killServer();
      // During the outage nothing can answer: the request times out (never a nats.js error).
      await expect(edge.request(subject('pa.1'), bytes(''), { timeoutMs: 200 })).rejects.toBeInstanceOf(BusTimeoutError);
      await server.restart();
      serverDown = false;
      await bounded(back, 10_000, 'both buses to reconnect');

      // What an edge does while a partition moves: retry through "no responders" and timeouts.
      const deadline = Date.now() + 10_000;
      let reply: string | undefined;
      while (reply === undefined) {
        try {
          reply = text(await edge.request(subject('pa.1'), bytes(''), { timeoutMs: 500 }));
        } catch (error) {
          if (!(error instanceof NoRespondersError || error instanceof BusTimeoutError) || Date.now() > deadline) throw error;
          await sleep(50);
        }
      }
      expect(reply).toBe('ok');
    });

    it('publish - during an outage never throws; delivery resumes after the reconnection', { timeout: 20_000 }, async () => {
      const bus = await open();
      const received: string[] = [];
      bus.subscribe(subject('out'), (message) => void received.push(text(message.data)));
      bus.publish(subject('out'), bytes('before'));
      await waitFor(() => received.length === 1, 'the first message');

      const back = nextReconnect(bus);
      await killServer();
      for (let i = 0; i < 500; i++) expect(() => bus.publish(subject('out'), bytes(`during ${i}`))).not.toThrow();
      await sleep(150);
      for (let i = 500; i < 1_000; i++) expect(() => bus.publish(subject('out'), bytes(`during ${i}`))).not.toThrow();
      await server.restart();
      serverDown = false;
      await bounded(back, 10_000, 'the bus to reconnect');

      bus.publish(subject('out'), bytes('after'));
      await waitFor(() => received.includes('after'), 'the message sent after the reconnection');
      // Delivered or lost, but never duplicated or garbled.
      expect(new Set(received).size).toBe(received.length);
      for (const payload of received) expect(payload).toMatch(/^(before|after|during \d+)$/);
    });

    it('close - waits for a running handler, whose reply still reaches the requester', async () => {
      const agent = await open();
      const edge = await open();
      let started = false;
      let finished = false;
      agent.subscribe(subject('slow'), async (message: BusMessage) => {
        started = true;
        await sleep(150);
        finished = true;
        message.respond(bytes('done'));
      });
      await flushed(agent);
      const reply = edge.request(subject('slow'), bytes(''), { timeoutMs: 3_000 });
      await waitFor(() => started, 'the handler to start');
      await agent.close();
      expect(finished).toBe(true);
      expect(text(await reply)).toBe('done');
    });

    it('close - a request still waiting when its bus closes rejects with BusClosedError', async () => {
      const agent = await open();
      const edge = await open();
      let asked = false;
      agent.subscribe(subject('never'), () => void (asked = true));
      await flushed(agent);
      const outcome = edge.request(subject('never'), bytes(''), { timeoutMs: 5_000 }).then(
        () => 'answered',
        (error: unknown) => error,
      );
      await waitFor(() => asked, 'the request to arrive');
      await edge.close();
      expect(await outcome).toBeInstanceOf(BusClosedError);
    });

    it('close - with the server down resolves within the drain bound', { timeout: 10_000 }, async () => {
      const bus = await open({ drainTimeoutMs: 300 });
      bus.subscribe(subject('x'), () => undefined);
      await killServer();
      const started = Date.now();
      await bus.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(() => bus.publish(subject('x'), bytes(''))).toThrow(BusClosedError);
    });

    it('close - onReconnect listeners are not called once the bus is closed', { timeout: 10_000 }, async () => {
      const closed = await open();
      const witness = await open();
      let calls = 0;
      closed.onReconnect(() => void calls++);
      await closed.close();
      await restartServer(witness);
      expect(calls).toBe(0);
    });

    it('handler errors - are logged with the subject, and delivery goes on', async () => {
      const errors: Array<{ context: object; message: string }> = [];
      const logger: BusLogger = { warn: () => undefined, error: (context, message) => void errors.push({ context, message }) };
      const bus = await open({ logger });
      const seen: string[] = [];
      bus.subscribe(subject('boom'), (message) => {
        seen.push(text(message.data));
        throw new Error('sync failure');
      });
      bus.subscribe(subject('boom'), () => Promise.reject(new Error('async failure')));
      bus.publish(subject('boom'), bytes('1'));
      bus.publish(subject('boom'), bytes('2'));
      await waitFor(() => seen.length === 2 && errors.length === 4, 'both messages and four failures');
      expect(errors.every((e) => e.message === 'bus handler failed')).toBe(true);
      expect(errors[0]?.context).toMatchObject({ subject: subject('boom') });
    });

    it('subjects - invalid subjects, patterns and queue names are refused, and the connection survives', async () => {
      const bus = await open();
      expect(() => bus.publish('a..b', bytes(''))).toThrow(InvalidSubjectError);
      expect(() => bus.publish('a b', bytes(''))).toThrow(InvalidSubjectError);
      expect(() => bus.publish('a.*', bytes(''))).toThrow(InvalidSubjectError);
      expect(() => bus.subscribe('a.>.b', () => undefined)).toThrow(InvalidSubjectError);
      expect(() => bus.subscribe('a.b', () => undefined, { queue: 'two words' })).toThrow(InvalidSubjectError);
      expect(() => bus.subscribe('a.b', () => undefined, { queue: '' })).toThrow(InvalidSubjectError);
      await expect(bus.request('', bytes(''), { timeoutMs: 10 })).rejects.toBeInstanceOf(InvalidSubjectError);
      bus.subscribe(subject('ok'), (message) => message.respond(bytes('still here')));
      expect(text(await bus.request(subject('ok'), bytes(''), { timeoutMs: 2_000 }))).toBe('still here');
    });

    it('publish - a payload over the server limit throws BusTransportError', async () => {
      const bus = await open();
      expect(() => bus.publish(subject('big'), new Uint8Array(2 * 1024 * 1024))).toThrow(BusTransportError);
    });

    it('request - no responders stays distinct from a timeout on a real server', async () => {
      const bus = await open();
      await expect(bus.request(subject('nobody'), bytes(''), { timeoutMs: 2_000 })).rejects.toBeInstanceOf(NoRespondersError);
    });

    it('request - a hundred requests in flight share one inbox, each gets its own reply, and one finding no responders ends only itself', async () => {
      const agent = await open();
      const edge = await open();
      agent.subscribe(subject('echo'), async (message: BusMessage) => {
        await sleep(Number(text(message.data)) % 7);
        message.respond(message.data);
      });
      await flushed(agent);
      const asked = Array.from({ length: 100 }, (_, i) => String(i));
      // Its rejection is awaited from the start: it may come before the hundred replies.
      const nobodyRefused = expect(edge.request(subject('nobody'), bytes(''), { timeoutMs: 2_000 })).rejects.toBeInstanceOf(NoRespondersError);
      const replies = await Promise.all(asked.map((payload) => edge.request(subject('echo'), bytes(payload), { timeoutMs: 5_000 })));
      expect(replies.map(text)).toEqual(asked);
      await nobodyRefused;
    });

    it('order - a message published before an unsubscribe reaches that subscription first, though sent at the end of the tick', async () => {
      const bus = await open();
      const received: string[] = [];
      const subscription = bus.subscribe(subject('last'), (message) => void received.push(text(message.data)));
      const witness: string[] = [];
      bus.subscribe(subject('last'), (message) => void witness.push(text(message.data)));
      await flushed(bus);
      bus.publish(subject('last'), bytes('before'));
      await subscription.drain();
      bus.publish(subject('last'), bytes('after'));
      await waitFor(() => witness.length === 2, 'the witness to see both');
      expect(received).toEqual(['before']);
    });

    it('connect - an unreachable server rejects with BusTransportError', async () => {
      const port = await freePort('tcp');
      await expect(connectNatsBus({ servers: `nats://127.0.0.1:${port}`, connectTimeoutMs: 1_000 })).rejects.toBeInstanceOf(BusTransportError);
    });
  });
});
