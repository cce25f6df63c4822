export type { PresenceTarget, SuiteContext, UaOptions } from './harness.js';
export type { BehaviourSuiteOptions } from './presence-behaviour.js';
export { DOMAIN, MAX_EXPIRES, MIN_EXPIRES, pidf, publish, suiteUser, tuplesOf } from './harness.js';
export { sleep } from '@presence/dev-tools';
export { presenceBehaviourSuite } from './presence-behaviour.js';
export type { ServerProcessTarget } from './malformed-requests.js';
export { abuseRequest, malformedRequestSuite, nextFinal } from './malformed-requests.js';
export { WatcherInfoView } from './watcher-info.behaviour.js';
