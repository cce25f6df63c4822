export * from './torture-case.js';
export { TORTURE_CASES } from './torture-cases.js';
export { openTorturePeer, type TorturePeer } from './torture-peers.js';
export { tortureSuite, type TortureTarget } from './torture-suite.js';
