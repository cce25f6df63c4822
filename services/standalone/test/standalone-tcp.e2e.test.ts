import { presenceBehaviourSuite } from './behaviour/presence-behaviour.js';
import { startStandaloneTarget } from './standalone-target.js';

presenceBehaviourSuite('standalone', 'tcp', () => startStandaloneTarget());
