import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { describe } from 'vitest';
import { clusterTierAvailable, startClusterTarget } from './cluster-target.js';

// The foundation's behaviour list, unchanged, against two edges + two agents over NATS and Redis.
describe.runIf(clusterTierAvailable())('cluster', () => {
  presenceBehaviourSuite('cluster', 'tcp', () => startClusterTarget({ auth: 'digest' }), { authenticated: true });
  presenceBehaviourSuite('cluster', 'tcp', () => startClusterTarget());
});
