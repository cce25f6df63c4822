import { startLocalCluster } from '@presence/dev-tools';
import type { TransportName } from '../transport/channel.js';
import { presenceServerArgs, withServerPreload, type BenchTarget } from './bench-target.js';

export interface ClusterOptions {
  readonly edges: number;
  readonly agents: number;
  readonly partitions: number;
  readonly maxExpires: number;
  readonly cpuProfileDir?: string;
}

/** startLocalCluster: own nats-server and redis-server on free ports, agents and edges as processes. */
export async function startClusterTarget(options: ClusterOptions): Promise<BenchTarget> {
  const cluster = await withServerPreload(options.cpuProfileDir, () =>
    startLocalCluster({
      edges: options.edges,
      agents: options.agents,
      partitions: options.partitions,
      edgeArgs: presenceServerArgs(options.maxExpires),
      logLevel: 'warn',
    }),
  );
  return {
    kind: 'cluster',
    label: `cluster ${options.edges}e/${options.agents}a`,
    endpoints: (transport: TransportName) => cluster.edges.map((edge) => ({ host: '127.0.0.1', port: transport === 'ws' ? edge.wsPort : edge.sipPort })),
    probes: [
      ...cluster.edges.map((edge) => ({ name: edge.process.id, metricsUrl: `${edge.process.httpUrl}/metrics`, pid: edge.process.child.process.pid })),
      ...cluster.agents.map((agent) => ({ name: agent.id, metricsUrl: `${agent.httpUrl}/metrics`, pid: agent.child.process.pid })),
    ],
    redis: { host: '127.0.0.1', port: cluster.redis.port },
    helperPids: () => [cluster.nats.pid, cluster.redis.pid].filter((pid): pid is number => pid !== undefined),
    stop: () => cluster.stop(),
  };
}
