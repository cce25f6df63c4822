import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ProcessEndpoint } from './ipc-channel.js';
import { isFrameBatch, MAX_BATCH_FRAMES, ProcessLink } from './process-link.js';

/** An endpoint that records what is sent and lets the test deliver messages, as a cluster Worker or `process` would. */
class FakeEndpoint extends EventEmitter implements ProcessEndpoint {
  readonly sent: unknown[] = [];
  connected = true;
  send(message: unknown): boolean {
    this.sent.push(message);
    return true;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const isA = (frame: unknown): frame is { a: number } => typeof frame === 'object' && frame !== null && 'a' in frame;
const isB = (frame: unknown): frame is { b: number } => typeof frame === 'object' && frame !== null && 'b' in frame;

describe('ProcessLink', () => {
  it('sends the frames of the handlers of one IPC read (nextTicks queued together) as one message, in order; later ones in the next', async () => {
    const endpoint = new FakeEndpoint();
    const link = new ProcessLink(endpoint);
    // Node emits each message of one read as a nextTick, all queued before the first runs.
    process.nextTick(() => link.send({ a: 1 }));
    process.nextTick(() => {
      link.send({ b: 2 });
      link.send({ a: 3 });
    });
    expect(endpoint.sent).toEqual([]);
    await nextTurn();
    expect(endpoint.sent).toEqual([{ ipcBatch: [{ a: 1 }, { b: 2 }, { a: 3 }] }]);
    link.send({ a: 4 });
    expect(endpoint.sent).toHaveLength(1);
    await nextTurn();
    expect(endpoint.sent[1]).toEqual({ a: 4 });
  });

  it('sends at once when a turn has queued MAX_BATCH_FRAMES, so the queue stays bounded', async () => {
    const endpoint = new FakeEndpoint();
    const link = new ProcessLink(endpoint);
    for (let i = 0; i < MAX_BATCH_FRAMES + 1; i++) link.send({ a: i });
    expect(endpoint.sent).toHaveLength(1);
    expect((endpoint.sent[0] as { ipcBatch: unknown[] }).ipcBatch).toHaveLength(MAX_BATCH_FRAMES);
    await nextTurn();
    expect(endpoint.sent[1]).toEqual({ a: MAX_BATCH_FRAMES });
  });

  it('drops frames while the other side is gone, and those queued when it goes', async () => {
    const endpoint = new FakeEndpoint();
    const link = new ProcessLink(endpoint);
    link.send({ a: 1 });
    endpoint.connected = false;
    link.send({ a: 2 });
    await nextTurn();
    expect(endpoint.sent).toEqual([]);
  });

  it('hands each frame of a received batch, in order, to the receivers whose guard it passes', () => {
    const endpoint = new FakeEndpoint();
    const link = new ProcessLink(endpoint);
    const seen: string[] = [];
    const stopA = link.listen(isA, (frame) => seen.push(`A${(frame as { a: number }).a}`));
    link.listen(isB, (frame) => seen.push(`B${(frame as { b: number }).b}`));
    endpoint.emit('message', { ipcBatch: [{ a: 1 }, { b: 2 }, { other: true }, { a: 3 }] });
    endpoint.emit('message', { b: 4 });
    expect(seen).toEqual(['A1', 'B2', 'A3', 'B4']);
    stopA();
    endpoint.emit('message', { ipcBatch: [{ a: 5 }, { b: 6 }] });
    expect(seen).toEqual(['A1', 'B2', 'A3', 'B4', 'B6']);
  });

  it('stops listening on the endpoint when the last receiver leaves', () => {
    const endpoint = new FakeEndpoint();
    const link = new ProcessLink(endpoint);
    const stop = link.listen(isA, () => undefined);
    expect(endpoint.listenerCount('message')).toBe(1);
    stop();
    expect(endpoint.listenerCount('message')).toBe(0);
  });

  it('tells a batch from a frame', () => {
    expect(isFrameBatch({ ipcBatch: [] })).toBe(true);
    expect(isFrameBatch({ bus: 'pub' })).toBe(false);
    expect(isFrameBatch(null)).toBe(false);
  });
});
