import { describe, expect, it } from 'vitest';
import { RingQueue } from './ring-queue.js';
import { indexFromCallId, ownedIndices, presentityOf, watcherEndpoint } from './workload-grid.js';

describe('workload grid', () => {
  const shape = { runId: 'lt1', presentities: 4, watchers: 3, workers: 2, endpoints: 2 };

  it('workload grid - every subscription belongs to exactly one worker; each presentity gets W watchers', () => {
    const all = [...ownedIndices(12, 0, 2), ...ownedIndices(12, 1, 2)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const perPresentity = new Map<number, number>();
    for (const s of all) perPresentity.set(presentityOf(shape, s), (perPresentity.get(presentityOf(shape, s)) ?? 0) + 1);
    expect([...perPresentity.values()]).toEqual([3, 3, 3, 3]);
  });

  it('workload grid - the watchers of one presentity are spread over the endpoints (edges)', () => {
    const endpointsOfP0 = [0, 4, 8].map((s) => watcherEndpoint(shape, s));
    expect(new Set(endpointsOfP0)).toEqual(new Set([0, 1]));
  });

  it('workload grid - a Call-ID maps back to its index; foreign ones do not', () => {
    expect(indexFromCallId('lt1w123', 'lt1w')).toBe(123);
    expect(indexFromCallId('lt2w123', 'lt1w')).toBeUndefined();
    expect(indexFromCallId('lt1w', 'lt1w')).toBeUndefined();
    expect(indexFromCallId('lt1w12x', 'lt1w')).toBeUndefined();
  });

  it('ring queue - FIFO across growth and wrap-around', () => {
    const queue = new RingQueue<number>(2);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      queue.push(i);
      if (i % 3 === 0) out.push(queue.shift()!);
    }
    while (queue.size > 0) out.push(queue.shift()!);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(queue.shift()).toBeUndefined();
  });
});
