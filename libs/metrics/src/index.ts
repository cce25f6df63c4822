export type { PresenceMetrics, PresenceMetricsOptions } from './presence-metrics.js';
export { createPresenceMetrics, LIMIT_NAMES } from './presence-metrics.js';
export type { MetricsSnapshot } from './aggregate-metrics.js';
export { aggregateMetrics } from './aggregate-metrics.js';
