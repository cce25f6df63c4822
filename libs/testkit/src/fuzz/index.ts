export { fuzzAssert, fuzzAssertAsync, fuzzNote, fuzzRun } from './fuzz-run.js';
export type { FuzzRun, FuzzVerdict } from './fuzz-run.js';
export { nameAddr, sipHeader, sipHost, sipRequest, sipToken, sipUri } from './sip-arbitraries.js';
export type { GeneratedHeader, GeneratedMessage, GeneratedNameAddr, GeneratedSipUri } from './sip-arbitraries.js';
export { applyMutation, applyMutations, mutation, mutations } from './sip-mutations.js';
export type { Mutation } from './sip-mutations.js';
export { PIDF, pidfDocument, xmlText } from './pidf-arbitraries.js';
export type { GeneratedPidf } from './pidf-arbitraries.js';
export { FuzzTarget, FuzzUdp, overTcp, RSS_BOUND_BYTES, serverErrors } from './socket-fuzz.js';
