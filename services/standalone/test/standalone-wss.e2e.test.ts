import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { startStandaloneTarget } from './standalone-target.js';

presenceBehaviourSuite('standalone', 'wss', () => startStandaloneTarget());
