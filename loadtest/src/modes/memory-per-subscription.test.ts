import { describe, expect, it } from 'vitest';
import { memoryPerSubscription, memorySlope } from './memory-per-subscription.js';

const MB = 1024 * 1024;
const reading = (rssMb: number, heapMb: number, redisMb?: number) => ({
  processes: [{ name: 'edge-3', rssBytes: rssMb * MB, heapUsedBytes: heapMb * MB, source: 'metrics' as const }],
  ...(redisMb === undefined ? {} : { redis: { usedMemoryBytes: redisMb * MB, usedMemoryRssBytes: redisMb * MB, keys: 0 } }),
});

describe('memory per subscription', () => {
  it('slope - two runs whose fixed growth is the same: the average charges it to the subscriptions, the slope does not', () => {
    // 30 MB grows under any load, then 1,000 bytes per subscription (heap 600).
    const idle = reading(60, 20, 1);
    const held = (n: number) => reading(60 + 30 + (n * 1000) / MB, 20 + 10 + (n * 600) / MB, 1 + (n * 700) / MB);
    const average = memoryPerSubscription(idle, held(20_000), 20_000);
    expect(average.processes[0]!.rssPerSubscription).toBeCloseTo(1000 + (30 * MB) / 20_000, 6);
    const slope = memorySlope({ subscribed: 20_000, afterSubscribe: held(20_000) }, { subscribed: 100_000, afterSubscribe: held(100_000) });
    expect(slope.processes).toEqual([{ name: 'edge-3', rssSlope: expect.closeTo(1000, 6), heapSlope: expect.closeTo(600, 6) }]);
    expect(slope.redisSlope).toBeCloseTo(700, 6);
  });

  it('slope - only processes both runs read; the larger run must hold more', () => {
    const a = { subscribed: 10, afterSubscribe: reading(1, 1) };
    const b = { subscribed: 20, afterSubscribe: { processes: [{ name: 'agent-1', rssBytes: 2 * MB, source: 'metrics' as const }] } };
    expect(memorySlope(a, b)).toEqual({ processes: [] });
    expect(() => memorySlope(b, a)).toThrow(RangeError);
  });
});
