export type { PresenceMetrics } from './presence-metrics.js';
export { createPresenceMetrics } from './presence-metrics.js';
