import { startLocalCluster } from '@presence/dev-tools';
import type { TransportName } from '../transport/channel.js';
import { LOCAL_SERVER_HOST, presenceServerArgs, withServerPreload, type BenchTarget } from './bench-target.js';
import { writePresRulesToRedis, type BenchPresRules } from './bench-pres-rules.js';
import { writeUsersToRedis, type BenchUsers } from './bench-users.js';

export interface ClusterOptions {
  readonly edges: number;
  readonly agents: number;
  readonly partitions: number;
  readonly maxExpires: number;
  readonly cpuProfileDir?: string;
  /** More options for every edge (e.g. the soak's --min-expires). */
  readonly edgeArgs?: readonly string[];
  /** --auth digest at the edges with these users (in the cluster's Redis); none: --auth none. */
  readonly users?: BenchUsers;
  /** --pres-rules allow-domain: these documents in the cluster's Redis before the first SUBSCRIBE. */
  readonly presRules?: BenchPresRules;
}

/** startLocalCluster: own nats-server and redis-server on free ports, agents and edges as processes. */
export async function startClusterTarget(options: ClusterOptions): Promise<BenchTarget> {
  const edgeArgs = [...presenceServerArgs(options.maxExpires), ...(options.edgeArgs ?? [])];
  const cluster = await withServerPreload(options.cpuProfileDir, () =>
    startLocalCluster({
      edges: options.edges,
      agents: options.agents,
      partitions: options.partitions,
      edgeArgs,
      logLevel: 'warn',
      auth: options.users === undefined ? 'none' : 'digest',
      // With rules the agents keep the server default (confirm): only the rules let watchers see.
      defaultSubHandling: options.presRules === undefined ? 'allow' : 'confirm',
    }),
  );
  // The edges read users, and the agents rules, from Redis per request: written before the first one, they are all there.
  const { users, presRules } = options;
  const load = async (): Promise<void> => {
    if (users !== undefined) await writeUsersToRedis(cluster.redis.url, users);
    if (presRules !== undefined) await writePresRulesToRedis(cluster.redis.url, presRules);
  };
  await load().catch(async (error: unknown) => {
    await cluster.stop();
    throw error;
  });
  return {
    kind: 'cluster',
    label: `cluster ${options.edges}e/${options.agents}a${options.users === undefined ? '' : '+digest'}`,
    endpoints: (transport: TransportName) => cluster.edges.map((edge) => ({ host: LOCAL_SERVER_HOST, port: transport === 'ws' ? edge.wsPort : edge.sipPort })),
    probes: [
      ...cluster.edges.map((edge) => ({ name: edge.process.id, metricsUrl: `${edge.process.httpUrl}/metrics`, pid: edge.process.child.process.pid })),
      ...cluster.agents.map((agent) => ({ name: agent.id, metricsUrl: `${agent.httpUrl}/metrics`, pid: agent.child.process.pid })),
    ],
    serverArgs: edgeArgs,
    redis: { host: '127.0.0.1', port: cluster.redis.port },
    helperProcesses: () =>
      [
        { name: 'nats-server', pid: cluster.nats.pid },
        { name: 'redis-server', pid: cluster.redis.pid },
      ].filter((p): p is { name: string; pid: number } => p.pid !== undefined),
    stop: () => cluster.stop(),
  };
}
