import { Children } from '../child-processes.js';
import { startNatsServer, type NatsServerProcess } from './nats-server.js';
import { presenceFleet, type PresenceFleet, type PresenceFleetOptions } from './presence-fleet.js';
import { startRedisServer, type RedisServerProcess } from './redis-server.js';

export type { ClusterEdge } from './presence-fleet.js';

export interface LocalClusterOptions extends PresenceFleetOptions {
  readonly edges?: number;
  readonly agents?: number;
}

export interface LocalCluster extends PresenceFleet {
  readonly nats: NatsServerProcess;
  readonly redis: RedisServerProcess;
  /** SIGTERM every presence process, then the servers. */
  stop(): Promise<void>;
}

/**
 * A real cluster on this machine: its own nats-server and redis-server on free
 * ports, presence agents and edges as separate processes (`presence agent`,
 * `presence edge`), for end-to-end and fault tests and `npm run cluster`.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const children = new Children();
  const nats = await startNatsServer();
  const redis = await startRedisServer();
  const fleet = presenceFleet(children, nats.url, redis.url, options);
  const cluster: LocalCluster = {
    ...fleet,
    nats,
    redis,
    async stop() {
      await fleet.stop();
      await children.killAll();
      await Promise.allSettled([nats.stop(), redis.stop()]);
    },
  };
  try {
    await startFleet(fleet, options.agents ?? 2, options.edges ?? 2);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Starts `agents` agents, then `edges` edges, and waits until the partitions are settled. */
export async function startFleet(fleet: PresenceFleet, agents: number, edges: number): Promise<void> {
  for (let i = 0; i < agents; i++) await fleet.startAgent();
  for (let i = 0; i < edges; i++) await fleet.startEdge();
  await fleet.settled();
}
