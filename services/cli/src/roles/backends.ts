import { LocalBus, type Bus } from '@presence/bus';
import { connectNatsBus } from '@presence/bus/nats';
import type { Clock, Store } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger, OptionValues } from '@presence/runtime';
import { meteredBus, meteredStore } from '@presence/standalone';
import { createMemoryStore, createRedisStore } from '@presence/store';
import { parseRedisClusterSeeds } from './redis-seeds.js';
import { prefixes } from './role-context.js';

/** The bus named by --nats, or an in-process one when --nats is unset. */
export async function openBus(values: OptionValues, memberId: string, logger: Logger): Promise<Bus> {
  const nats = values.nats as string | undefined;
  if (!nats) return new LocalBus({ logger });
  const servers = nats.split(',').map((s) => s.trim()).filter((s) => s !== '');
  try {
    return await connectNatsBus({ servers, name: memberId, logger });
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${servers.join(',')}: ${(error as Error).message}`, { cause: error });
  }
}

/** The Redis store named by --redis (several seeds: Redis Cluster), or the memory store when unset. */
export async function openStore(values: OptionValues, clock: Clock, logger: Logger): Promise<Store> {
  const redis = values.redis as string | undefined;
  if (!redis) return createMemoryStore({ clock, dataDir: (values['data-dir'] as string | undefined) || undefined, logger });
  const keyPrefix = prefixes(values).keys || undefined;
  const seeds = redis.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (seeds.length === 1) return createRedisStore({ url: withScheme(seeds[0]!), keyPrefix, clock, logger });
  const { nodes, ...access } = parseRedisClusterSeeds(seeds);
  return createRedisStore({ cluster: nodes, clusterAccess: access, keyPrefix, clock, logger });
}

function withScheme(seed: string): string {
  return /^rediss?:\/\//.test(seed) ? seed : `redis://${seed}`;
}

export interface Backends {
  readonly bus: Bus;
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * Store then bus; if the bus cannot be had, the store is closed again before
 * the error surfaces. Both are metered: every store call is timed and every
 * failure counted once, by operation; failed bus publishes and subscribes
 * are counted.
 */
export async function openBackends(values: OptionValues, memberId: string, clock: Clock, logger: Logger, metrics: PresenceMetrics): Promise<Backends> {
  const opened = await openStore(values, clock, logger.child({ component: 'store' }));
  const store = meteredStore(opened, metrics);
  try {
    const bus = meteredBus(await openBus(values, memberId, logger.child({ component: 'bus' })), metrics);
    return {
      bus,
      store,
      async close() {
        await bus.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
