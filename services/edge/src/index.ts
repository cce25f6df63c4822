export type { Edge, EdgeDeps } from './edge.js';
export { createEdge } from './edge.js';
export type { DigestAuthConfig, EdgeConfig, MessagingConfig } from './edge-config.js';
export { DEFAULT_DIGEST_AUTH, DEFAULT_EXPIRES, DEFAULT_MESSAGING } from './edge-config.js';
export type { ProtectionConfig } from './protection/request-guard.js';
export { SourceSet } from './protection/source-address.js';
