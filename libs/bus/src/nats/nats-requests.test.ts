import type { Msg } from 'nats';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusClosedError, BusTimeoutError, NoRespondersError } from '../errors/bus-errors.js';
import { NatsRequests } from './nats-requests.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** What NatsRequests reads of a nats.js message: its subject, payload and status. */
function message(subject: string, data: Uint8Array, status?: number): Msg {
  return { subject, data, headers: status === undefined ? undefined : { code: status } } as unknown as Msg;
}

describe('NatsRequests', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('replies - each request gets the reply sent to its own subject under the inbox pattern', async () => {
    const requests = new NatsRequests('_INBOX.test');
    expect(requests.inboxPattern).toBe('_INBOX.test.*');
    const first = requests.open('pa.1', 1_000, 1_000);
    const second = requests.open('pa.2', 1_000, 1_000);
    expect(first.reply).not.toBe(second.reply);
    expect(first.reply.startsWith('_INBOX.test.')).toBe(true);
    requests.deliver(message(second.reply, bytes('two')));
    requests.deliver(message(first.reply, bytes('one')));
    expect(text(await first.outcome)).toBe('one');
    expect(text(await second.outcome)).toBe('two');
    expect(requests.size).toBe(0);
  });

  it('replies - the first reply wins; later ones and replies to no request are dropped', async () => {
    const requests = new NatsRequests('_INBOX.test');
    const { reply, outcome } = requests.open('pa.1', 1_000, 1_000);
    requests.deliver(message(reply, bytes('first')));
    requests.deliver(message(reply, bytes('second')));
    requests.deliver(message('_INBOX.other.0', bytes('stray')));
    requests.deliver(message('_INBOX.test.zzz', bytes('stray')));
    expect(text(await outcome)).toBe('first');
  });

  it('replies - the payload is a copy, not a view of the socket buffer', async () => {
    const requests = new NatsRequests('_INBOX.test');
    const { reply, outcome } = requests.open('pa.1', 1_000, 1_000);
    const socketBuffer = bytes('xxreplyxx');
    requests.deliver(message(reply, socketBuffer.subarray(2, 7)));
    const data = await outcome;
    socketBuffer.fill(0);
    expect(text(data)).toBe('reply');
  });

  it('no responders - the 503 status without payload rejects with NoRespondersError naming the subject; a 503 header with a payload is a reply', async () => {
    const requests = new NatsRequests('_INBOX.test');
    const nobody = requests.open('pa.9', 1_000, 1_000);
    requests.deliver(message(nobody.reply, new Uint8Array(0), 503));
    await expect(nobody.outcome).rejects.toEqual(new NoRespondersError('pa.9'));
    const answered = requests.open('pa.9', 1_000, 1_000);
    requests.deliver(message(answered.reply, bytes('body'), 503));
    expect(text(await answered.outcome)).toBe('body');
  });

  it('timeout - rejects with BusTimeoutError naming the timeout asked for; a reply after it is dropped', async () => {
    vi.useFakeTimers();
    const requests = new NatsRequests('_INBOX.test');
    const { reply, outcome } = requests.open('pa.1', 0.4, 1);
    const settled = outcome.then(
      () => 'answered',
      (error: unknown) => error,
    );
    vi.advanceTimersByTime(1);
    const error = await settled;
    expect(error).toBeInstanceOf(BusTimeoutError);
    expect(error).toMatchObject({ subject: 'pa.1', timeoutMs: 0.4 });
    requests.deliver(message(reply, bytes('late')));
    expect(requests.size).toBe(0);
  });

  it('fail - ends one request, or says it was not waiting; failAll ends the rest and clears their timers', async () => {
    vi.useFakeTimers();
    const requests = new NatsRequests('_INBOX.test');
    const one = requests.open('pa.1', 1_000, 1_000);
    const two = requests.open('pa.2', 1_000, 1_000);
    expect(requests.fail(one.reply, new BusClosedError())).toBe(true);
    expect(requests.fail(one.reply, new BusClosedError())).toBe(false);
    await expect(one.outcome).rejects.toBeInstanceOf(BusClosedError);
    requests.failAll(() => new BusClosedError());
    await expect(two.outcome).rejects.toBeInstanceOf(BusClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });
});
