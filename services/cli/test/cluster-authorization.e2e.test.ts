import { authorizationSuite } from '@presence/testkit/behaviour';
import { describe } from 'vitest';
import { clusterTierAvailable, startAuthorizingClusterTarget } from './cluster-target.js';

// Watchers are spread over both edges: a rule change reaches each through its own edge.<id>.authz subject.
describe.runIf(clusterTierAvailable())('cluster authorization', () => {
  authorizationSuite('cluster', 'tcp', startAuthorizingClusterTarget);
});
