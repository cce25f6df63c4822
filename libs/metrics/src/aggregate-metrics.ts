import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** One process's metrics as prom-client JSON (PresenceMetrics.snapshot), sent between processes. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * One exposition over several processes of one server (a standalone
 * server's primary and its workers): prom-client's AggregatorRegistry sums
 * each series unless its metric names another aggregator (the process
 * metrics do: start time the minimum, versions the first, ...).
 */
export function aggregateMetrics(snapshots: readonly MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate([...snapshots]).metrics();
}
