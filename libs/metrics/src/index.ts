export type { PresenceMetrics, PresenceMetricsOptions } from './presence-metrics.js';
export { createPresenceMetrics } from './presence-metrics.js';
