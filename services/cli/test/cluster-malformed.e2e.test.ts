import { startLocalCluster } from '@presence/testkit';
import { malformedRequestSuite } from '@presence/testkit/behaviour';
import { describe } from 'vitest';
import { clusterTierAvailable, SUITE_EDGE_ARGS } from './cluster-target.js';

// The same packets against a cluster edge process (NATS and Redis behind it).
describe.runIf(clusterTierAvailable())('cluster', () => {
  malformedRequestSuite('cluster edge', async () => {
    const cluster = await startLocalCluster({ edges: 1, agents: 1, edgeArgs: SUITE_EDGE_ARGS });
    const edge = cluster.edges[0]!;
    return { sipPort: edge.sipPort, process: edge.process, stop: () => cluster.stop() };
  });
});
