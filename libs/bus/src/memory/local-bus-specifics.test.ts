import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusMessage } from '../bus.js';
import type { BusLogger } from '../bus-logger.js';
import { BusClosedError, NoRespondersError } from '../errors/bus-errors.js';
import { InvalidSubjectError } from '../errors/invalid-subject-error.js';
import { LocalBus, MICROTASK_ROUNDS } from './local-bus.js';
import { publishValue, receivedValue, requestValue, respondWithValue } from '../value-messages.js';

/** Behaviour of LocalBus beyond the Bus contract (exact round-robin, no copies, logging, drain details). */

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recordingLogger(): BusLogger & { errors: Array<{ context: object; message: string }> } {
  const errors: Array<{ context: object; message: string }> = [];
  return { errors, warn: () => undefined, error: (context, message) => void errors.push({ context, message }) };
}

describe('LocalBus specifics', () => {
  let bus: LocalBus;

  afterEach(async () => {
    vi.useRealTimers();
    await bus.close();
  });

  it('queue groups - members take turns in subscription order', async () => {
    bus = new LocalBus();
    const order: number[] = [];
    for (const id of [1, 2, 3]) bus.subscribe('pa.1', () => void order.push(id), { queue: 'agents' });
    for (let i = 0; i < 7; i++) bus.publish('pa.1', bytes(''));
    await tick();
    expect(order).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it('queue groups - round-robin holds per group when the same queue name serves several subjects', async () => {
    bus = new LocalBus();
    const got: string[] = [];
    for (const p of ['1', '2']) {
      for (const id of ['a', 'b']) bus.subscribe(`pa.${p}`, () => void got.push(`${p}${id}`), { queue: 'agents' });
    }
    for (let i = 0; i < 4; i++) {
      bus.publish('pa.1', bytes(''));
      bus.publish('pa.2', bytes(''));
    }
    await tick();
    expect(got.filter((g) => g.startsWith('1'))).toEqual(['1a', '1b', '1a', '1b']);
    expect(got.filter((g) => g.startsWith('2'))).toEqual(['2a', '2b', '2a', '2b']);
  });

  it('publish - hands the very same Uint8Array and message object to every subscriber', async () => {
    bus = new LocalBus();
    const seen: BusMessage[] = [];
    bus.subscribe('a.b', (message) => void seen.push(message));
    bus.subscribe('a.*', (message) => void seen.push(message));
    const payload = bytes('shared');
    bus.publish('a.b', payload);
    await tick();
    expect(seen).toHaveLength(2);
    expect(seen[0]!.data).toBe(payload);
    expect(seen[1]).toBe(seen[0]);
  });

  it('publish - a message queued for a subscription that unsubscribes before delivery is dropped', async () => {
    bus = new LocalBus();
    const received: string[] = [];
    const subscription = bus.subscribe('x', () => void received.push('x'));
    bus.publish('x', bytes(''));
    subscription.unsubscribe();
    await tick();
    expect(received).toEqual([]);
  });

  it('publish - messages published by a handler are delivered in a later round, not recursively', async () => {
    bus = new LocalBus();
    const events: string[] = [];
    bus.subscribe('first', () => {
      events.push('first');
      bus.publish('second', bytes(''));
      events.push('first done');
    });
    bus.subscribe('second', () => void events.push('second'));
    bus.publish('first', bytes(''));
    await tick();
    await tick();
    expect(events).toEqual(['first', 'first done', 'second']);
  });

  it('publish - a request, its reply and what the responder publishes all arrive within the turn they were made in, before the next setImmediate', async () => {
    bus = new LocalBus();
    const events: string[] = [];
    bus.subscribe('agent', (message) => {
      events.push('request');
      bus.publish('change', bytes(''));
      message.respond(bytes('ok'));
    });
    bus.subscribe('change', () => void events.push('change'));
    setImmediate(() => events.push('next turn'));
    const reply = bus.request('agent', bytes(''), { timeoutMs: 1000 }).then(() => void events.push('reply'));
    await tick();
    await reply;
    // The reply and the change may come in either order; both come before the next turn.
    expect(events.slice(0, 3).sort()).toEqual(['change', 'reply', 'request']);
    expect(events[3]).toBe('next turn');
  });

  it('publish - handlers publishing to each other without end get at most MICROTASK_ROUNDS rounds per turn: the next setImmediate still runs', async () => {
    bus = new LocalBus();
    let rounds = 0;
    let roundsBeforeTurn: number | undefined;
    const ping = bus.subscribe('ping', () => {
      rounds++;
      bus.publish('ping', bytes(''));
    });
    setImmediate(() => {
      roundsBeforeTurn = rounds;
    });
    bus.publish('ping', bytes(''));
    await tick();
    await tick();
    ping.unsubscribe();
    expect(roundsBeforeTurn).toBe(MICROTASK_ROUNDS);
    expect(rounds).toBeGreaterThan(MICROTASK_ROUNDS);
  });

  it('hasSubscribers - says whether a publish now would reach anyone: exact, wildcard and queue subscriptions; none once unsubscribed; true when closed (publish throws)', async () => {
    bus = new LocalBus();
    expect(bus.hasSubscribers('ps.1.alice')).toBe(false);
    const exact = bus.subscribe('ps.1.alice', () => undefined);
    expect(bus.hasSubscribers('ps.1.alice')).toBe(true);
    expect(bus.hasSubscribers('ps.1.bob')).toBe(false);
    exact.unsubscribe();
    expect(bus.hasSubscribers('ps.1.alice')).toBe(false);
    const wildcard = bus.subscribe('ps.*.bob', () => undefined);
    expect(bus.hasSubscribers('ps.7.bob')).toBe(true);
    wildcard.unsubscribe();
    bus.subscribe('agent.3', () => undefined, { queue: 'agents' });
    expect(bus.hasSubscribers('agent.3')).toBe(true);
    await bus.close();
    expect(bus.hasSubscribers('ps.1.alice')).toBe(true);
    expect(() => bus.publish('ps.1.alice', new Uint8Array())).toThrow(BusClosedError);
  });

  it('subjects - invalid subjects and patterns are refused with InvalidSubjectError', async () => {
    bus = new LocalBus();
    expect(() => bus.publish('a..b', bytes(''))).toThrow(InvalidSubjectError);
    expect(() => bus.publish('a.*', bytes(''))).toThrow(InvalidSubjectError);
    expect(() => bus.subscribe('a.>.b', () => undefined)).toThrow(InvalidSubjectError);
    await expect(bus.request('', bytes(''), { timeoutMs: 10 })).rejects.toBeInstanceOf(InvalidSubjectError);
  });

  it('handler errors - sync throws and async rejections are logged with the subject', async () => {
    const logger = recordingLogger();
    bus = new LocalBus({ logger });
    bus.subscribe('s.1', () => {
      throw new Error('sync');
    });
    bus.subscribe('s.*', async () => {
      throw new Error('async');
    });
    bus.publish('s.1', bytes(''));
    await tick();
    await tick();
    expect(logger.errors).toHaveLength(2);
    expect(logger.errors.map((e) => ((e.context as { err: Error }).err).message).sort()).toEqual(['async', 'sync']);
    expect(logger.errors[0]!.context).toMatchObject({ subject: 's.1' });
  });

  it('publish values - nothing is encoded without a matching subscription; a flat value is encoded once for all its subscribers', async () => {
    bus = new LocalBus();
    let encodings = 0;
    const encode = (value: object): Uint8Array => (encodings++, bytes(JSON.stringify(value)));
    publishValue(bus, 'ps.1.nobody', { n: 1 }, encode);
    const seen: BusMessage[] = [];
    bus.subscribe('ps.1.a', (message) => void seen.push(message));
    bus.subscribe('ps.*.a', (message) => void seen.push(message));
    publishValue(bus, 'ps.1.a', { n: 2 }, encode);
    await tick();
    expect(encodings).toBe(0);
    expect(seen.map((message) => new TextDecoder().decode(message.data))).toEqual(['{"n":2}', '{"n":2}']);
    expect(encodings).toBe(1);
    expect(Object.isFrozen(seen[0]!.value)).toBe(true);
    // Not flat: encoded when published, so a later change to it cannot reach the bytes.
    const nested = { list: [1] };
    publishValue(bus, 'ps.1.a', nested, encode);
    nested.list.push(2);
    await tick();
    expect(new TextDecoder().decode(seen[2]!.data)).toBe('{"list":[1]}');
    expect(seen[2]!.value).toBeUndefined();
  });

  it('request values - a flat value crosses frozen and unencoded both ways; a subscriber reading data gets it encoded', async () => {
    bus = new LocalBus();
    const encoded: object[] = [];
    const codec = {
      encode: (value: object) => (encoded.push(value), bytes(JSON.stringify(value))),
      decodeReply: (): never => {
        throw new Error('a flat reply is not decoded');
      },
    };
    let received: BusMessage | undefined;
    bus.subscribe('agent.1', (message) => {
      received = message;
      const asked = receivedValue(message, (): never => {
        throw new Error('a flat value is not decoded');
      }) as { n: number };
      respondWithValue(message, { v: 1, doubled: asked.n * 2, etag: undefined }, codec.encode);
    });
    const reply = await requestValue(bus, 'agent.1', { n: 21, name: 'x', gone: null }, codec, { timeoutMs: 1_000 });
    expect(reply).toEqual({ v: 1, doubled: 42, etag: undefined });
    expect(Object.isFrozen(reply)).toBe(true);
    expect(Object.isFrozen(received!.value)).toBe(true);
    expect(encoded).toEqual([]);
    expect(new TextDecoder().decode(received!.data)).toBe('{"n":21,"name":"x","gone":null}');
  });

  it('request values - a nested value or reply travels as bytes, decoded at the other end', async () => {
    bus = new LocalBus();
    const codec = { encode: (value: object) => bytes(JSON.stringify(value)), decodeReply: (data: Uint8Array) => ({ decoded: JSON.parse(new TextDecoder().decode(data)) as unknown }) };
    const seen: Array<object | undefined> = [];
    bus.subscribe('agent.2', (message) => {
      seen.push(message.value);
      respondWithValue(message, { list: [1, 2] }, codec.encode);
    });
    expect(await requestValue(bus, 'agent.2', { n: 1 }, codec, { timeoutMs: 1_000 })).toEqual({ decoded: { list: [1, 2] } });
    expect(await requestValue(bus, 'agent.2', { list: ['a'] }, codec, { timeoutMs: 1_000 })).toEqual({ decoded: { list: [1, 2] } });
    expect(seen).toEqual([{ n: 1 }, undefined]);
  });

  it('request values - a plain request answered with a value gets its bytes', async () => {
    bus = new LocalBus();
    bus.subscribe('agent.3', (message) => respondWithValue(message, { ok: true }, (value) => bytes(JSON.stringify(value))));
    expect(new TextDecoder().decode(await bus.request('agent.3', bytes('{}'), { timeoutMs: 1_000 }))).toBe('{"ok":true}');
  });

  it('request - the timeout timer is cleared once answered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    bus = new LocalBus();
    bus.subscribe('q', (message) => message.respond(bytes('ok')));
    const reply = bus.request('q', bytes(''), { timeoutMs: 60_000 });
    expect(vi.getTimerCount()).toBe(1);
    await tick();
    await expect(reply).resolves.toEqual(bytes('ok'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('request - no timer is started when nobody subscribes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    bus = new LocalBus();
    await expect(bus.request('none', bytes(''), { timeoutMs: 60_000 })).rejects.toBeInstanceOf(NoRespondersError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close - requests still unanswered after the drain reject with BusClosedError', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    bus = new LocalBus();
    bus.subscribe('mute', () => undefined);
    const pending = bus.request('mute', bytes(''), { timeoutMs: 60_000 });
    await bus.close();
    await expect(pending).rejects.toBeInstanceOf(BusClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close - while draining, subscribe and request fail, publish reaches nobody, responders may still answer', async () => {
    bus = new LocalBus();
    const late: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    bus.subscribe('late', () => void late.push('late'));
    bus.subscribe('work', async (message) => {
      await gate;
      message.respond(bytes('answered'));
    });
    const reply = bus.request('work', bytes(''), { timeoutMs: 5_000 });
    await tick();
    const closed = bus.close();
    expect(() => bus.subscribe('x', () => undefined)).toThrow(BusClosedError);
    await expect(bus.request('work', bytes(''), { timeoutMs: 10 })).rejects.toBeInstanceOf(BusClosedError);
    expect(() => bus.publish('late', bytes(''))).not.toThrow();
    release();
    await closed;
    await expect(reply).resolves.toEqual(bytes('answered'));
    expect(late).toEqual([]);
  });

  it('close - deliveries queued before close still run, but not inside the close call', async () => {
    bus = new LocalBus();
    const received: string[] = [];
    bus.subscribe('q', () => void received.push('q'));
    bus.publish('q', bytes(''));
    const closed = bus.close();
    expect(received).toEqual([]);
    await closed;
    expect(received).toEqual(['q']);
  });

  it('reconnect - a throwing listener is logged and the others still run', () => {
    const logger = recordingLogger();
    bus = new LocalBus({ logger });
    let called = 0;
    bus.onReconnect(() => {
      throw new Error('listener');
    });
    bus.onReconnect(() => void called++);
    bus.simulateReconnect();
    expect(called).toBe(1);
    expect(logger.errors).toHaveLength(1);
  });

  it('reconnect - the same function registered twice is two registrations', () => {
    bus = new LocalBus();
    let called = 0;
    const listener = (): void => void called++;
    const first = bus.onReconnect(listener);
    bus.onReconnect(listener);
    first();
    bus.simulateReconnect();
    expect(called).toBe(1);
  });
});
