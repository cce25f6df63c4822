import { sleep } from '@presence/dev-tools';
import { readProcessMemory, type ProcessMemory } from '../probes/process-memory.js';
import { readRedisMemory, type RedisMemory } from '../probes/redis-info.js';
import { readServerCounters } from '../probes/server-counters.js';
import { signalServers, type BenchTarget } from '../targets/bench-target.js';
import type { GeneratorState } from './soak-client.js';
import type { IntervalReport } from './soak-stats.js';

/** After the GC signal, before reading: the collection has run by then. */
const AFTER_GC_MS = 300;

/** One reading of a soak run: the servers' memory and what the generator counted since the last one. */
export interface SoakSample {
  readonly atS: number;
  /** RSS and V8 heap in use of every server process, each read right after a full garbage collection. */
  readonly processes: readonly ProcessMemory[];
  /** Cluster mode: Redis INFO memory and keys. */
  readonly redis?: RedisMemory;
  /** presence_subscriptions{state="active"} summed over the processes: the population the server holds. */
  readonly serverSubscriptions?: number;
  /** What the generator itself holds and saw: live transactions and dialogs, NOTIFYs for dialogs it let go, closed channels, its RSS. */
  readonly generator: GeneratorState & { readonly rssBytes: number };
  readonly interval: IntervalReport;
}

/**
 * Forces a full GC in every server process (the bench preload answers
 * SIGUSR2), then reads memory: heap figures are live data, and RSS is not
 * inflated by garbage waiting for a collection, so a slope is a leak rather
 * than GC timing.
 */
export async function readSample(target: BenchTarget, atS: number, interval: IntervalReport, generator: GeneratorState): Promise<SoakSample> {
  if (signalServers(target)) await sleep(AFTER_GC_MS);
  const [processes, counters, redis] = await Promise.all([
    readProcessMemory(target.probes),
    readServerCounters(target.probes),
    target.redis === undefined ? Promise.resolve(undefined) : readRedisMemory(target.redis).catch(() => undefined),
  ]);
  return {
    atS,
    processes,
    ...(redis === undefined ? {} : { redis }),
    ...(counters === undefined ? {} : { serverSubscriptions: counters.activeSubscriptions }),
    generator: { ...generator, rssBytes: process.memoryUsage.rss() },
    interval,
  };
}

/** Per-process byte series of the samples, e.g. RSS of each process by name, plus `redis` for used_memory. */
export function byteSeries(samples: readonly SoakSample[], pick: (p: ProcessMemory) => number | undefined): Map<string, { atS: number; value: number }[]> {
  const series = new Map<string, { atS: number; value: number }[]>();
  for (const sample of samples) {
    for (const p of sample.processes) {
      const value = pick(p);
      if (value === undefined) continue;
      const points = series.get(p.name) ?? [];
      points.push({ atS: sample.atS, value });
      series.set(p.name, points);
    }
  }
  return series;
}
