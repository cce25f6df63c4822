import { describe, expect, it } from 'vitest';
import { NatsOutbox, OUTBOX_FLUSH_COUNT } from './nats-outbox.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** An outbox whose every hand-over is recorded as one batch of "subject payload [reply]" lines. */
function recordingOutbox(): { outbox: NatsOutbox; batches: string[][] } {
  const batches: string[][] = [];
  let current: string[] | undefined;
  const outbox = new NatsOutbox((subject, data, reply) => {
    if (current === undefined) {
      current = [];
      batches.push(current);
      queueMicrotask(() => (current = undefined));
    }
    current.push(reply === undefined ? `${subject} ${text(data)}` : `${subject} ${text(data)} ${reply}`);
  });
  return { outbox, batches };
}

describe('NatsOutbox', () => {
  it('coalescing - messages sent several awaits apart, and in later ticks of the same turn, are handed over together, in order, in the check phase', async () => {
    const { outbox, batches } = recordingOutbox();
    const work = (async () => {
      outbox.add('change', bytes('v2'));
      for (let i = 0; i < 5; i++) await Promise.resolve();
      outbox.add('_INBOX.x.1', bytes('200'));
      outbox.add('pa.7', bytes('req'), '_INBOX.y.1');
    })();
    await work;
    await new Promise<void>((resolve) => process.nextTick(resolve));
    outbox.add('ch.1', bytes('v3'));
    expect(batches).toEqual([]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['change v2', '_INBOX.x.1 200', 'pa.7 req _INBOX.y.1', 'ch.1 v3']]);
    expect(outbox.size).toBe(0);
  });

  it('coalescing - messages of later turns of the event loop go in later hand-overs', async () => {
    const { outbox, batches } = recordingOutbox();
    outbox.add('a', bytes('1'));
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    outbox.add('b', bytes('2'));
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    expect(batches).toEqual([['a 1'], ['b 2']]);
  });

  it('flush - hands over what waits at once, and the scheduled hand-over then finds nothing', async () => {
    const { outbox, batches } = recordingOutbox();
    outbox.add('a', bytes('1'));
    outbox.flush();
    expect(batches).toEqual([['a 1']]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a 1']]);
  });

  it('bounded - the message that fills the outbox makes it hand everything over at once', () => {
    const { outbox, batches } = recordingOutbox();
    for (let i = 0; i < OUTBOX_FLUSH_COUNT - 1; i++) outbox.add('s', bytes(String(i)));
    expect(batches).toEqual([]);
    outbox.add('s', bytes('last'));
    expect(batches.flat()).toHaveLength(OUTBOX_FLUSH_COUNT);
    expect(batches.flat().at(-1)).toBe('s last');
    expect(outbox.size).toBe(0);
  });
});
