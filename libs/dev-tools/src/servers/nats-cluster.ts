import { startNatsServer, type NatsServerProcess } from './nats-server.js';

/** Three nats-server nodes joined by cluster routes; clients take `url` (all three, comma separated) and fail over. */
export interface NatsClusterProcess {
  readonly nodes: readonly NatsServerProcess[];
  /** `nats://127.0.0.1:a,nats://127.0.0.1:b,nats://127.0.0.1:c`, as the presence --nats option takes it. */
  readonly url: string;
  /** Stops every node. */
  stop(): Promise<void>;
}

const NODES = 3;

/**
 * Starts three nodes on free ports, each routing to the ones started before
 * it (`--cluster` / `--routes`; routes are gossiped, so the mesh is full).
 * A killed node restarted with restart() rejoins on the same ports.
 */
export async function startNatsCluster(): Promise<NatsClusterProcess> {
  const nodes: NatsServerProcess[] = [];
  const routes: string[] = [];
  try {
    for (let i = 0; i < NODES; i++) {
      let route = '';
      const node = await startNatsServer({
        extraArgs: (clusterPort) => {
          route = `nats://127.0.0.1:${clusterPort}`;
          return ['--cluster_name', 'presence-dev', '--cluster', route, ...(routes.length > 0 ? ['--routes', routes.join(',')] : [])];
        },
      });
      nodes.push(node);
      routes.push(route);
    }
  } catch (error) {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    throw error;
  }
  return {
    nodes,
    url: nodes.map((node) => node.url).join(','),
    stop: async () => {
      await Promise.allSettled(nodes.map((node) => node.stop()));
    },
  };
}
