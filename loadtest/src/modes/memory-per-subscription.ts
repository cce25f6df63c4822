import type { ProcessMemory } from '../probes/process-memory.js';
import type { RedisMemory } from '../probes/redis-info.js';

export interface MemoryReading {
  readonly processes: readonly ProcessMemory[];
  readonly redis?: RedisMemory;
}

export interface BytesPerSubscription {
  readonly name: string;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly rssPerSubscription: number;
  readonly heapPerSubscription?: number;
}

export interface MemoryCost {
  readonly subscriptions: number;
  readonly processes: readonly BytesPerSubscription[];
  readonly redisPerSubscription?: number;
  readonly redisKeysAdded?: number;
}

/** (after − before) / subscriptions, per process and for Redis used_memory. */
export function memoryPerSubscription(before: MemoryReading, after: MemoryReading, subscriptions: number): MemoryCost {
  const per = (delta: number): number => (subscriptions > 0 ? delta / subscriptions : 0);
  const processes = after.processes.flatMap((a) => {
    const b = before.processes.find((p) => p.name === a.name);
    if (b === undefined) return [];
    const entry: BytesPerSubscription = {
      name: a.name,
      rssBeforeBytes: b.rssBytes,
      rssAfterBytes: a.rssBytes,
      rssPerSubscription: per(a.rssBytes - b.rssBytes),
      ...(a.heapUsedBytes !== undefined && b.heapUsedBytes !== undefined ? { heapPerSubscription: per(a.heapUsedBytes - b.heapUsedBytes) } : {}),
    };
    return [entry];
  });
  return {
    subscriptions,
    processes,
    ...(before.redis !== undefined && after.redis !== undefined
      ? { redisPerSubscription: per(after.redis.usedMemoryBytes - before.redis.usedMemoryBytes), redisKeysAdded: after.redis.keys - before.redis.keys }
      : {}),
  };
}

/** One memory run as the slope needs it: subscriptions held and the reading after the subscribe phase. */
export interface HeldMemory {
  readonly subscribed: number;
  readonly afterSubscribe: MemoryReading;
}

export interface MemorySlope {
  readonly name: string;
  /** Extra bytes per extra subscription between the two runs: what one more held subscription costs. */
  readonly rssSlope: number;
  readonly heapSlope?: number;
}

/**
 * (after(larger) − after(smaller)) / (larger − smaller) per process and for
 * Redis: the marginal cost of a held subscription. The bench's own figure is
 * an average over one run, (after − idle) / N, which also charges the
 * subscriptions with what grows once under any load (V8's young generation
 * to its largest semi-space, compiled code, buffers): 20–30 MB, 1–1.5 kB a
 * subscription at 20,000. The two runs' fixed parts cancel out here.
 */
export function memorySlope(smaller: HeldMemory, larger: HeldMemory): { readonly processes: readonly MemorySlope[]; readonly redisSlope?: number } {
  const extra = larger.subscribed - smaller.subscribed;
  if (extra <= 0) throw new RangeError(`the second run must hold more subscriptions (${smaller.subscribed} then ${larger.subscribed})`);
  const processes = larger.afterSubscribe.processes.flatMap((b) => {
    const a = smaller.afterSubscribe.processes.find((p) => p.name === b.name);
    if (a === undefined) return [];
    const slope: MemorySlope = {
      name: b.name,
      rssSlope: (b.rssBytes - a.rssBytes) / extra,
      ...(a.heapUsedBytes !== undefined && b.heapUsedBytes !== undefined ? { heapSlope: (b.heapUsedBytes - a.heapUsedBytes) / extra } : {}),
    };
    return [slope];
  });
  const redisA = smaller.afterSubscribe.redis;
  const redisB = larger.afterSubscribe.redis;
  return { processes, ...(redisA !== undefined && redisB !== undefined ? { redisSlope: (redisB.usedMemoryBytes - redisA.usedMemoryBytes) / extra } : {}) };
}
