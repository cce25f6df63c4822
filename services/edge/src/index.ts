export type { Edge, EdgeDeps } from './edge.js';
export { createEdge } from './edge.js';
export type { EdgeConfig } from './edge-config.js';
export { DEFAULT_EXPIRES } from './edge-config.js';
