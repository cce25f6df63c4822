import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { startStandaloneTarget } from './standalone-target.js';

presenceBehaviourSuite('standalone', 'udp', () => startStandaloneTarget({ auth: 'digest' }), { authenticated: true });
presenceBehaviourSuite('standalone', 'udp', () => startStandaloneTarget());
