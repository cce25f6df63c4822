import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { startStandaloneTarget } from './standalone-target.js';

presenceBehaviourSuite('standalone', 'tcp', () => startStandaloneTarget({ auth: 'digest' }), { authenticated: true });
