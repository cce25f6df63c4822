export type { Standalone, StandaloneOptions } from './standalone.js';
export { startStandalone } from './standalone.js';
