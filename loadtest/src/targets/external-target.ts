import type { Endpoint } from '../transport/channel.js';
import type { BenchTarget, MemoryProbe } from './bench-target.js';

/** A server someone else runs: we only send it traffic, and read the metrics URLs and Redis given. */
export function externalTarget(endpoint: Endpoint, metricsUrls: readonly string[], redis: Endpoint | undefined): BenchTarget {
  const probes: MemoryProbe[] = metricsUrls.map((url, i) => ({ name: metricsUrls.length === 1 ? 'target' : `target-${i + 1}`, metricsUrl: url }));
  return {
    kind: 'external',
    label: `${endpoint.host}:${endpoint.port}`,
    endpoints: () => [endpoint],
    probes,
    ...(redis === undefined ? {} : { redis }),
    stop: async () => undefined,
  };
}
