import { connectNatsBus } from '@presence/bus/nats';
import { createSubjects } from '@presence/contracts';
import { systemClock } from '@presence/core';
import type { TransportName } from '@presence/sip';
import { createRedisStore, type RedisStore } from '@presence/store';
import { binaryGate, requireOrSkip, startLocalCluster, type ClusterEdge, type LocalCluster, type LocalClusterOptions } from '@presence/testkit';
import { announcePresRules, DOMAIN, MAX_EXPIRES, MIN_EXPIRES, suiteUser, type AuthorizingTarget, type PresenceTarget } from '@presence/testkit/behaviour';

/** Options of every edge so the cluster is configured as the behaviour suite expects (see PresenceTarget). */
export const SUITE_EDGE_ARGS = [
  '--domain', DOMAIN,
  '--min-expires', String(MIN_EXPIRES),
  '--max-expires', String(MAX_EXPIRES),
  '--default-expires', '3600',
  '--sip-t1', '50',
];

/** True when nats-server and redis-server are there (under CI=true a missing one throws instead). */
export function clusterTierAvailable(): boolean {
  return (
    requireOrSkip(binaryGate('nats-server', 'apt-get install nats-server'), 'cluster tier') &&
    requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'cluster tier')
  );
}

export interface ClusterTarget extends PresenceTarget {
  readonly cluster: LocalCluster;
}

/** An edge's port per transport; tls and wss exist when the cluster was started with LocalClusterOptions.tls. */
const portOf: Record<TransportName, (edge: ClusterEdge) => number | undefined> = {
  udp: (e) => e.sipPort,
  tcp: (e) => e.sipPort,
  ws: (e) => e.wsPort,
  tls: (e) => e.tlsPort,
  wss: (e) => e.wssPort,
};

/**
 * Two edges and two agents (separate processes) on their own NATS and Redis.
 * With `auth: 'digest'` the edges authenticate, and addUser puts users into
 * the cluster's Redis through the store's UserStore port.
 */
export async function startClusterTarget(options: LocalClusterOptions = {}): Promise<ClusterTarget> {
  const cluster = await startLocalCluster({ edges: 2, agents: 2, ...options, edgeArgs: [...SUITE_EDGE_ARGS, ...(options.edgeArgs ?? [])] });
  const portsOf = (transport: TransportName) =>
    cluster.edges.map((edge) => portOf[transport](edge) ?? fail(`edge ${edge.process.id} has no ${transport} listener (LocalClusterOptions.tls)`));
  let users: RedisStore | undefined;
  try {
    if (options.auth === 'digest') users = await createRedisStore({ url: cluster.redis.url, clock: systemClock });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return {
    cluster,
    port: (transport) => portsOf(transport)[0]!,
    ports: portsOf,
    addUser: users === undefined ? undefined : (aor, password) => users.putUser(suiteUser(aor, password)),
    async stop() {
      await users?.close();
      await cluster.stop();
    },
  };
}

/**
 * Two edges and two agents with the shipped authorization default (confirm);
 * a test writes pres-rules into the cluster's Redis and announces them on
 * its NATS, as the XCAP server does.
 */
export async function startAuthorizingClusterTarget(): Promise<AuthorizingTarget & ClusterTarget> {
  const target = await startClusterTarget({ defaultSubHandling: 'confirm' });
  try {
    const store = await createRedisStore({ url: target.cluster.redis.url, clock: systemClock });
    const bus = await connectNatsBus({ servers: target.cluster.nats.url });
    const subjects = createSubjects();
    return {
      ...target,
      writePresRules: (owner, document) => announcePresRules(store, bus, subjects, owner, document),
      async stop() {
        await bus.close();
        await store.close();
        await target.stop();
      },
    };
  } catch (error) {
    await target.stop();
    throw error;
  }
}

function fail(message: string): never {
  throw new Error(message);
}
