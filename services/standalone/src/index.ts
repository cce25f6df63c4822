export type { Standalone, StandaloneOptions } from './standalone.js';
export { startStandalone } from './standalone.js';
export { meteredBus, meteredStore } from './backend-metrics.js';
