import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { describe } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { startWorkersTarget } from './standalone-workers-target.js';

// The whole behaviour list through `presence standalone --workers 2`: UDP datagrams spread by the kernel over two workers, each dialog on its Call-ID's owner.
presenceBehaviourSuite('standalone --workers 2', 'udp', () => startWorkersTarget());
presenceBehaviourSuite('standalone --workers 2', 'tcp', () => startWorkersTarget());
presenceBehaviourSuite('standalone --workers 2', 'ws', () => startWorkersTarget({ ws: true }));
// Each worker's NOTIFYs and MESSAGEs leave from a UDP port of its own (--worker-udp-ports), their responses coming straight back to it.
presenceBehaviourSuite('standalone --workers 2 --worker-udp-ports 0', 'udp', () => startWorkersTarget({ args: ['--worker-udp-ports', '0'] }));

describe.runIf(clusterTierAvailable())('standalone --workers 2 with digest users in Redis', () => {
  presenceBehaviourSuite('standalone --workers 2 --redis', 'udp', () => startWorkersTarget({ digest: true }), { authenticated: true });
  presenceBehaviourSuite('standalone --workers 2 --redis', 'tcp', () => startWorkersTarget({ digest: true }), { authenticated: true });
});
