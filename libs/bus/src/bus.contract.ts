import { randomBytes } from 'node:crypto';
import { sleep } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from './bus.js';
import { BusClosedError, BusTimeoutError, NoRespondersError } from './errors/bus-errors.js';
import { publishValue, receivedValue, requestValue, respondWithValue } from './value-messages.js';

/** What a bus implementation's test file hands to the contract for every test. */
export interface BusUnderTest {
  readonly bus: Bus;
  /** Makes the bus go through a disconnection and reconnection (NATS: restart or kick the connection). */
  readonly reconnect?: () => Promise<void>;
  cleanup(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (data: Uint8Array): string => decoder.decode(data);

/** Polls until `condition` holds; fails the test after `timeoutMs`. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Time given to a message that must NOT arrive, to show up anyway if it would. */
const QUIET_MS = 100;

/**
 * The behaviour every Bus implementation must have (ARCHITECTURE: "Bus and
 * store are interfaces with two implementations each"). Port-level only: the
 * same suite runs against LocalBus and NatsBus. Every test uses subjects under
 * a fresh random prefix, so a shared NATS server is fine.
 */
export function busContract(name: string, factory: () => Promise<BusUnderTest>): void {
  describe(`${name} - Bus contract`, () => {
    let under: BusUnderTest;
    let bus: Bus;
    let prefix: string;
    const subject = (rest: string): string => `${prefix}.${rest}`;

    /** Subscribes and records the payloads (as text) it receives. */
    function collect(pattern: string, queue?: string): string[] {
      const received: string[] = [];
      bus.subscribe(pattern, (message) => void received.push(text(message.data)), queue === undefined ? {} : { queue });
      return received;
    }

    beforeEach(async () => {
      prefix = `t${randomBytes(6).toString('hex')}`;
      under = await factory();
      bus = under.bus;
    });

    afterEach(async () => {
      await under.cleanup();
    });

    describe('publish', () => {
      it('publish - reaches a subscriber of the exact subject with subject and payload', async () => {
        const seen: BusMessage[] = [];
        bus.subscribe(subject('a.b'), (message) => void seen.push(message));
        bus.publish(subject('a.b'), bytes('hello'));
        await waitFor(() => seen.length === 1, 'the message');
        const [message] = seen;
        expect(message?.subject).toBe(subject('a.b'));
        expect(text(message!.data)).toBe('hello');
        expect(message?.expectsReply).toBe(false);
      });

      it('publish - does not reach subscribers of other subjects', async () => {
        const other = collect(subject('a.c'));
        const target = collect(subject('a.b'));
        bus.publish(subject('a.b'), bytes('x'));
        await waitFor(() => target.length === 1, 'the message');
        await sleep(QUIET_MS);
        expect(other).toEqual([]);
      });

      it('publish - delivers asynchronously, never inside the publish call', async () => {
        const received = collect(subject('a'));
        bus.publish(subject('a'), bytes('1'));
        expect(received).toEqual([]);
        await waitFor(() => received.length === 1, 'the message');
      });

      it('publish - reaches every plain subscriber, exact and wildcard alike', async () => {
        const exact1 = collect(subject('a.b'));
        const exact2 = collect(subject('a.b'));
        const star = collect(subject('a.*'));
        const tail = collect(subject('>'));
        bus.publish(subject('a.b'), bytes('m'));
        await waitFor(() => exact1.length + exact2.length + star.length + tail.length === 4, 'four copies');
        await sleep(QUIET_MS);
        expect([exact1, exact2, star, tail]).toEqual([['m'], ['m'], ['m'], ['m']]);
      });

      it('publish - a subscription sees messages in publish order', async () => {
        const received = collect(subject('order'));
        const sent = Array.from({ length: 200 }, (_, i) => String(i));
        for (const payload of sent) bus.publish(subject('order'), bytes(payload));
        await waitFor(() => received.length === sent.length, 'all messages');
        expect(received).toEqual(sent);
      });

      it('publish - a published value reaches subscribers as its encoding, flat or not', async () => {
        const received = collect(subject('values'));
        const encode = (value: object): Uint8Array => bytes(JSON.stringify(value));
        const flat = { n: 1 };
        publishValue(bus, subject('values'), flat, encode);
        flat.n = 2;
        publishValue(bus, subject('values'), { nested: { n: 3 } }, encode);
        publishValue(bus, subject('nobody'), { n: 4 }, encode);
        await waitFor(() => received.length === 2, 'both values');
        expect(received).toEqual(['{"n":1}', '{"nested":{"n":3}}']);
      });

      it('publish - carries binary payloads unchanged', async () => {
        const seen: Uint8Array[] = [];
        bus.subscribe(subject('bin'), (message) => void seen.push(message.data));
        const payload = Uint8Array.from([0, 1, 2, 254, 255, 0]);
        bus.publish(subject('bin'), payload);
        bus.publish(subject('bin'), new Uint8Array(0));
        await waitFor(() => seen.length === 2, 'both messages');
        expect(Array.from(seen[0]!)).toEqual([0, 1, 2, 254, 255, 0]);
        expect(seen[1]!.length).toBe(0);
      });
    });

    describe('wildcards', () => {
      it('wildcards - `*` matches exactly one token', async () => {
        const received = collect(subject('ps.*'));
        bus.publish(subject('ps'), bytes('zero'));
        bus.publish(subject('ps.1.x'), bytes('two'));
        bus.publish(subject('ps.1'), bytes('one'));
        bus.publish(subject('other.1'), bytes('other'));
        await waitFor(() => received.length >= 1, 'the match');
        await sleep(QUIET_MS);
        expect(received).toEqual(['one']);
      });

      it('wildcards - `*` may stand in the middle of a pattern', async () => {
        const received = collect(subject('ps.*.x'));
        bus.publish(subject('ps.1.y'), bytes('no'));
        bus.publish(subject('ps.1.x.z'), bytes('no'));
        bus.publish(subject('ps.2.x'), bytes('yes'));
        await waitFor(() => received.length >= 1, 'the match');
        await sleep(QUIET_MS);
        expect(received).toEqual(['yes']);
      });

      it('wildcards - `>` matches one or more trailing tokens but not zero', async () => {
        const received = collect(subject('ps.>'));
        bus.publish(subject('ps'), bytes('zero'));
        bus.publish(subject('ps.1'), bytes('one'));
        bus.publish(subject('ps.1.x.y'), bytes('three'));
        bus.publish(subject('pt.1'), bytes('other'));
        await waitFor(() => received.length >= 2, 'the matches');
        await sleep(QUIET_MS);
        expect(received).toEqual(['one', 'three']);
      });
    });

    describe('queue groups', () => {
      it('queue groups - each message reaches exactly one member, and load is spread over all members', async () => {
        const members = [collect(subject('pa.7'), 'agents'), collect(subject('pa.7'), 'agents'), collect(subject('pa.7'), 'agents')];
        const plain = collect(subject('pa.7'));
        const count = 60;
        for (let i = 0; i < count; i++) bus.publish(subject('pa.7'), bytes(String(i)));
        await waitFor(() => plain.length === count, 'the plain subscriber to get every message');
        await waitFor(() => members.reduce((n, m) => n + m.length, 0) >= count, 'the group to get every message');
        await sleep(QUIET_MS);
        const all = members.flat().map(Number);
        expect(all.length).toBe(count);
        expect(new Set(all).size).toBe(count);
        for (const member of members) expect(member.length).toBeGreaterThan(0);
      });

      it('queue groups - each group gets its own copy, members may use different patterns', async () => {
        const groupA = [collect(subject('q.x'), 'a'), collect(subject('q.*'), 'a')];
        const groupB = [collect(subject('q.>'), 'b')];
        for (let i = 0; i < 10; i++) bus.publish(subject('q.x'), bytes(String(i)));
        await waitFor(() => groupA.flat().length === 10 && groupB.flat().length === 10, 'one copy per group');
        await sleep(QUIET_MS);
        expect(groupA.flat().map(Number).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(groupB[0]).toHaveLength(10);
      });
    });

    describe('request', () => {
      it('request - resolves with the reply, the responder sees expectsReply', async () => {
        let expected: boolean | undefined;
        bus.subscribe(subject('echo'), (message) => {
          expected = message.expectsReply;
          message.respond(bytes(`re:${text(message.data)}`));
        });
        const reply = await bus.request(subject('echo'), bytes('ping'), { timeoutMs: 2_000 });
        expect(text(reply)).toBe('re:ping');
        expect(expected).toBe(true);
      });

      it('request - an async responder may answer later', async () => {
        bus.subscribe(subject('slow'), async (message) => {
          await sleep(20);
          message.respond(bytes('late'));
        });
        expect(text(await bus.request(subject('slow'), bytes(''), { timeoutMs: 2_000 }))).toBe('late');
      });

      it('request - the first reply wins', async () => {
        bus.subscribe(subject('two'), (message) => message.respond(bytes('first')));
        bus.subscribe(subject('two'), async (message) => {
          await sleep(30);
          message.respond(bytes('second'));
        });
        expect(text(await bus.request(subject('two'), bytes(''), { timeoutMs: 2_000 }))).toBe('first');
      });

      it('request - a queue group answers through one member only', async () => {
        const calls: number[] = [];
        for (const id of [1, 2]) {
          bus.subscribe(subject('pa.1'), (message) => {
            calls.push(id);
            message.respond(bytes(String(id)));
          }, { queue: 'agents' });
        }
        const reply = text(await bus.request(subject('pa.1'), bytes(''), { timeoutMs: 2_000 }));
        await sleep(QUIET_MS);
        expect(calls).toHaveLength(1);
        expect(reply).toBe(String(calls[0]));
      });

      it('request - rejects with NoRespondersError at once when nobody subscribes', async () => {
        collect(subject('elsewhere'));
        const started = Date.now();
        const outcome = bus.request(subject('nobody'), bytes(''), { timeoutMs: 5_000 });
        await expect(outcome).rejects.toBeInstanceOf(NoRespondersError);
        expect(Date.now() - started).toBeLessThan(2_000);
      });

      it('request - rejects with BusTimeoutError when no reply comes within timeoutMs', async () => {
        let asked = 0;
        bus.subscribe(subject('mute'), () => void asked++);
        const started = Date.now();
        const outcome = bus.request(subject('mute'), bytes(''), { timeoutMs: 150 });
        await expect(outcome).rejects.toBeInstanceOf(BusTimeoutError);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(140);
        expect(elapsed).toBeLessThan(2_000);
        expect(asked).toBe(1);
      });

      it('request - a reply after the timeout is ignored', async () => {
        const late: BusMessage[] = [];
        bus.subscribe(subject('late'), (message) => void late.push(message));
        await expect(bus.request(subject('late'), bytes(''), { timeoutMs: 50 })).rejects.toBeInstanceOf(BusTimeoutError);
        expect(() => late[0]?.respond(bytes('too late'))).not.toThrow();
      });

      it('request - a value request reaches a value responder and a bytes responder alike, with what the bytes say', async () => {
        const codec = { encode: (value: object) => bytes(JSON.stringify(value)), decodeReply: (data: Uint8Array) => JSON.parse(text(data)) as { echoed: string } };
        const decode = (data: Uint8Array) => JSON.parse(text(data)) as { word: string; n: number };
        bus.subscribe(subject('val'), (message) => {
          const asked = receivedValue(message, decode);
          respondWithValue(message, { echoed: `${asked.word}${asked.n}` }, codec.encode);
        });
        bus.subscribe(subject('raw'), (message) => message.respond(bytes(JSON.stringify({ echoed: `raw:${decode(message.data).word}` }))));
        const sent = { word: 'hi', n: 2 };
        expect(await requestValue(bus, subject('val'), sent, codec, { timeoutMs: 2_000 })).toEqual({ echoed: 'hi2' });
        expect(await requestValue(bus, subject('raw'), sent, codec, { timeoutMs: 2_000 })).toEqual({ echoed: 'raw:hi' });
        // A value that is not flat travels as bytes.
        expect(await requestValue(bus, subject('val'), { word: 'x', n: 1, nested: { a: 1 } }, codec, { timeoutMs: 2_000 })).toEqual({ echoed: 'x1' });
        await expect(requestValue(bus, subject('none'), sent, codec, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(NoRespondersError);
      });

      it('request - a value request: neither side sees the other change what it sent', async () => {
        const codec = { encode: (value: object) => bytes(JSON.stringify(value)), decodeReply: (data: Uint8Array) => JSON.parse(text(data)) as { reply: string } };
        const replyValue = { reply: 'original' };
        let receivedWord: string | undefined;
        bus.subscribe(subject('iso'), async (message) => {
          const asked = receivedValue(message, (data) => JSON.parse(text(data)) as { word: string });
          await sleep(20);
          receivedWord = asked.word;
          respondWithValue(message, replyValue, codec.encode);
          replyValue.reply = 'changed after answering';
        });
        const sent = { word: 'before' };
        const reply = requestValue(bus, subject('iso'), sent, codec, { timeoutMs: 2_000 });
        sent.word = 'changed after sending';
        expect(await reply).toEqual({ reply: 'original' });
        expect(receivedWord).toBe('before');
      });

      it('request - respond on a plain publication is a no-op', async () => {
        const seen: BusMessage[] = [];
        bus.subscribe(subject('plain'), (message) => void seen.push(message));
        const replies = collect(subject('>'));
        bus.publish(subject('plain'), bytes('x'));
        await waitFor(() => seen.length === 1, 'the message');
        expect(() => seen[0]!.respond(bytes('answer'))).not.toThrow();
        await sleep(QUIET_MS);
        expect(replies).toEqual(['x']);
      });
    });

    describe('unsubscribe', () => {
      it('unsubscribe - stops delivery to that subscription only', async () => {
        const dropped: string[] = [];
        const subscription = bus.subscribe(subject('u'), (message) => void dropped.push(text(message.data)));
        const kept = collect(subject('u'));
        bus.publish(subject('u'), bytes('1'));
        await waitFor(() => dropped.length === 1 && kept.length === 1, 'the first message');
        subscription.unsubscribe();
        subscription.unsubscribe();
        bus.publish(subject('u'), bytes('2'));
        await waitFor(() => kept.length === 2, 'the second message');
        await sleep(QUIET_MS);
        expect(dropped).toEqual(['1']);
        expect(kept).toEqual(['1', '2']);
      });

      it('unsubscribe - of the last responder makes requests find no responders', async () => {
        const subscription = bus.subscribe(subject('gone'), (message) => message.respond(bytes('ok')));
        expect(text(await bus.request(subject('gone'), bytes(''), { timeoutMs: 2_000 }))).toBe('ok');
        subscription.unsubscribe();
        await expect(bus.request(subject('gone'), bytes(''), { timeoutMs: 2_000 })).rejects.toBeInstanceOf(NoRespondersError);
      });

      it('unsubscribe - a queue member leaving hands its share to the others', async () => {
        const leaving = bus.subscribe(subject('lq'), () => undefined, { queue: 'g' });
        const staying = collect(subject('lq'), 'g');
        leaving.unsubscribe();
        for (let i = 0; i < 10; i++) bus.publish(subject('lq'), bytes(String(i)));
        await waitFor(() => staying.length === 10, 'all messages at the remaining member');
      });
    });

    describe('drain', () => {
      it('drain - messages already published to it are still handled, later ones go elsewhere', async () => {
        const drained: string[] = [];
        const draining = bus.subscribe(subject('d'), (message) => void drained.push(text(message.data)), { queue: 'w' });
        for (let i = 0; i < 5; i++) bus.publish(subject('d'), bytes(String(i)));
        await draining.drain();
        expect(drained).toEqual(['0', '1', '2', '3', '4']);
        const successor = collect(subject('d'), 'w');
        bus.publish(subject('d'), bytes('after'));
        await waitFor(() => successor.length === 1, 'the message at the successor');
        expect(drained).toHaveLength(5);
      });

      it('drain - a request already routed to a draining responder is answered', async () => {
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const responder = bus.subscribe(subject('dr'), async (message) => {
          await gate;
          message.respond(bytes('late but answered'));
        });
        const reply = bus.request(subject('dr'), bytes(''), { timeoutMs: 5_000 });
        await sleep(QUIET_MS);
        const drained = responder.drain();
        release();
        await drained;
        expect(text(await reply)).toBe('late but answered');
      });

      it('drain - resolves without waiting for handlers of other subscriptions', async () => {
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        let busy = false;
        bus.subscribe(subject('busy'), () => {
          busy = true;
          return held;
        });
        bus.publish(subject('busy'), bytes('x'));
        await waitFor(() => busy, 'the busy handler to start');
        const quick = bus.subscribe(subject('quick'), () => undefined);
        bus.publish(subject('quick'), bytes('y'));
        await quick.drain();
        release();
      });
    });

    describe('handler errors', () => {
      it('handler errors - a throwing or rejecting handler does not stop later deliveries', async () => {
        const received: string[] = [];
        bus.subscribe(subject('boom'), (message) => {
          received.push(text(message.data));
          throw new Error('sync failure');
        });
        bus.subscribe(subject('boom'), async (message) => {
          await Promise.resolve();
          throw new Error(`async failure ${text(message.data)}`);
        });
        const bystander = collect(subject('boom'));
        for (const payload of ['1', '2', '3']) bus.publish(subject('boom'), bytes(payload));
        await waitFor(() => received.length === 3 && bystander.length === 3, 'every message');
        expect(received).toEqual(['1', '2', '3']);
        expect(bystander).toEqual(['1', '2', '3']);
      });

      it('handler errors - a request whose responder throws times out instead of failing the bus', async () => {
        bus.subscribe(subject('bad'), () => {
          throw new Error('responder failure');
        });
        await expect(bus.request(subject('bad'), bytes(''), { timeoutMs: 50 })).rejects.toBeInstanceOf(BusTimeoutError);
        const ok = collect(subject('after'));
        bus.publish(subject('after'), bytes('fine'));
        await waitFor(() => ok.length === 1, 'a later message');
      });
    });

    describe('close', () => {
      it('close - waits for deliveries already in flight', async () => {
        let started = false;
        let finished = false;
        bus.subscribe(subject('drain'), async () => {
          started = true;
          await sleep(50);
          finished = true;
        });
        bus.publish(subject('drain'), bytes('x'));
        await waitFor(() => started, 'the handler to start');
        await bus.close();
        expect(finished).toBe(true);
      });

      it('close - publish and subscribe throw, request rejects, with BusClosedError afterwards', async () => {
        collect(subject('c'));
        await bus.close();
        expect(() => bus.publish(subject('c'), bytes('x'))).toThrow(BusClosedError);
        expect(() => bus.subscribe(subject('c'), () => undefined)).toThrow(BusClosedError);
        await expect(bus.request(subject('c'), bytes('x'), { timeoutMs: 100 })).rejects.toBeInstanceOf(BusClosedError);
      });

      it('close - may be called twice', async () => {
        await Promise.all([bus.close(), bus.close()]);
        await expect(bus.close()).resolves.toBeUndefined();
      });
    });

    describe('reconnect', () => {
      it('reconnect - listeners are called after a reconnection until unregistered', async (context) => {
        const reconnect = under.reconnect;
        if (reconnect === undefined) {
          context.skip();
          return;
        }
        let kept = 0;
        let removed = 0;
        bus.onReconnect(() => void kept++);
        const unregister = bus.onReconnect(() => void removed++);
        await reconnect();
        await waitFor(() => kept === 1, 'the listener', 10_000);
        expect(removed).toBe(1);
        unregister();
        await reconnect();
        await waitFor(() => kept === 2, 'the listener again', 10_000);
        expect(removed).toBe(1);
      });

      it('reconnect - subscriptions keep working after a reconnection', async (context) => {
        const reconnect = under.reconnect;
        if (reconnect === undefined) {
          context.skip();
          return;
        }
        const received = collect(subject('r'));
        await reconnect();
        bus.publish(subject('r'), bytes('after'));
        await waitFor(() => received.length === 1, 'the message', 10_000);
      });

      it('reconnect - queue-group responders answer requests again after a reconnection', async (context) => {
        const reconnect = under.reconnect;
        if (reconnect === undefined) {
          context.skip();
          return;
        }
        for (const id of [1, 2]) {
          bus.subscribe(subject('pa.3'), (message) => message.respond(bytes(`agent ${id}`)), { queue: 'agents' });
        }
        expect(text(await bus.request(subject('pa.3'), bytes(''), { timeoutMs: 2_000 }))).toMatch(/^agent [12]$/);
        await reconnect();
        expect(text(await bus.request(subject('pa.3'), bytes(''), { timeoutMs: 2_000 }))).toMatch(/^agent [12]$/);
      });
    });
  });
}
