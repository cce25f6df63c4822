import { sharedTestCertificate } from '@presence/testkit';
import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { describe } from 'vitest';
import { clusterTierAvailable, startClusterTarget } from './cluster-target.js';

// The foundation's behaviour list, unchanged, against two edges + two agents, the user agents on tls (trusting the test certificate).
describe.runIf(clusterTierAvailable())('cluster', () => {
  presenceBehaviourSuite('cluster', 'tls', () => startClusterTarget({ tls: sharedTestCertificate() }));
});
