import { presenceBehaviourSuite } from '@presence/testkit/behaviour';
import { startWorkersTarget } from './standalone-workers-target.js';

// The whole behaviour list through `presence standalone --workers 2`: UDP datagrams spread by the kernel over two workers, each dialog on its Call-ID's owner.
presenceBehaviourSuite('standalone --workers 2', 'udp', () => startWorkersTarget());
presenceBehaviourSuite('standalone --workers 2', 'tcp', () => startWorkersTarget());
