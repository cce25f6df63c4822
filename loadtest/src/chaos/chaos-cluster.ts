import {
  Children,
  presenceFleet,

  startFleet,
  startNatsCluster,
  startNatsServer,
  startRedisCluster,
  startRedisServer,
  type PresenceFleet,
} from '@presence/dev-tools';
import type { Endpoint } from '../transport/channel.js';
import { disturbancesFor, type Disturbance } from './disturbances.js';

export interface ChaosClusterOptions {
  readonly edges: number;
  readonly agents: number;
  readonly redisCluster: boolean;
  readonly natsCluster: boolean;
  /** Redis persistence: AOF with this fsync policy, or none. */
  readonly redisFsync: 'always' | 'everysec' | 'none';
  readonly leaseSeconds: number;
  /** The edges' --min-expires, so watchers can refresh often enough for a short run. */
  readonly minExpiresS: number;
}

export interface ChaosCluster {
  readonly label: string;
  readonly fleet: PresenceFleet;
  readonly endpoints: readonly Endpoint[];
  readonly disturbances: readonly Disturbance[];
  stop(): Promise<void>;
}

/** The servers under the fleet: one of each, or three-node clusters; each with a node to fault. */
export interface Backends {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** The nats-server to kill and restart (one node of three with a cluster). */
  readonly natsVictim: { kill(): Promise<void>; restart(): Promise<void> };
  readonly redisVictim: { kill(): Promise<void>; restart(): Promise<void> };
  stop(): Promise<void>;
}

/**
 * Redis with `appendonly yes` and `appendfsync always` unless told otherwise:
 * an acknowledged write is on disk before the reply, so a SIGKILLed server
 * restarts with it (with everysec it may not be: RedisServerOptions).
 */
async function startBackends(options: ChaosClusterOptions): Promise<Backends> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => void (await Promise.allSettled(stops.map((s) => s())));
  try {
    const nats = options.natsCluster ? await startNatsCluster() : await startNatsServer();
    stops.push(() => nats.stop());
    const persistence = options.redisFsync === 'none' ? {} : { appendFsync: options.redisFsync };
    const redis = options.redisCluster ? await startRedisCluster(persistence) : await startRedisServer(persistence);
    stops.push(() => redis.stop());
    return {
      natsUrl: nats.url,
      redisUrl: 'seeds' in redis ? redis.seeds : redis.url,
      natsVictim: 'nodes' in nats ? nats.nodes[1]! : nats,
      redisVictim: 'servers' in redis ? redis.servers[1]! : redis,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function startChaosCluster(options: ChaosClusterOptions): Promise<ChaosCluster> {
  const backends = await startBackends(options);
  const children = new Children();
  const fleet = presenceFleet(children, backends.natsUrl, backends.redisUrl, {
    agentArgs: ['--lease-time', String(options.leaseSeconds)],
    edgeArgs: ['--min-expires', String(options.minExpiresS)],
    logLevel: 'warn',
    auth: 'none',
  });
  const stop = async (): Promise<void> => {
    await fleet.stop();
    await children.killAll();
    await backends.stop();
  };
  try {
    await startFleet(fleet, options.agents, options.edges);
  } catch (error) {
    await stop();
    throw error;
  }
  const servers = `${options.natsCluster ? 'NATS 3-node cluster' : 'nats-server'} + ${options.redisCluster ? 'Redis Cluster 3 masters' : 'redis-server'}`;
  return {
    label: `${options.edges} edges, ${options.agents} agents, ${servers}`,
    fleet,
    endpoints: fleet.edges.map((edge) => ({ host: '127.0.0.1', port: edge.sipPort })),
    disturbances: disturbancesFor(fleet, backends, {
      leaseMs: options.leaseSeconds * 1000,
      clustered: { nats: options.natsCluster, redis: options.redisCluster },
      redisFsync: options.redisFsync,
    }),
    stop,
  };
}


