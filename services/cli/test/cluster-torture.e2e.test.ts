import { createTestCertificate, startLocalCluster } from '@presence/testkit';
import { DOMAIN } from '@presence/testkit/behaviour';
import { tortureSuite } from '@presence/testkit/torture';
import { describe } from 'vitest';
import { clusterTierAvailable, SUITE_EDGE_ARGS } from './cluster-target.js';

// The RFC 4475 torture cases against a cluster edge process (an agent, NATS
// and Redis behind it), on all five transports.
describe.runIf(clusterTierAvailable())('cluster', () => {
  tortureSuite('cluster edge', async () => {
    const certificate = createTestCertificate();
    try {
      const cluster = await startLocalCluster({ edges: 1, agents: 1, edgeArgs: SUITE_EDGE_ARGS, tls: certificate });
      const edge = cluster.edges[0]!;
      return {
        process: edge.process,
        domain: DOMAIN,
        ports: { udp: edge.sipPort, tcp: edge.sipPort, ws: edge.wsPort, tls: edge.tlsPort, wss: edge.wssPort },
        async stop() {
          await cluster.stop();
          certificate.remove();
        },
      };
    } catch (error) {
      certificate.remove();
      throw error;
    }
  });
});
