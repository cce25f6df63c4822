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
