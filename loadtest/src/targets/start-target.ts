import type { BenchConfig, TargetMode } from '../cli/bench-config.js';
import type { BenchTarget } from './bench-target.js';
import { startClusterTarget } from './cluster-target.js';
import { externalTarget } from './external-target.js';
import { startKamailioTarget } from './kamailio-target.js';
import { startStandaloneTarget } from './standalone-target.js';

/** Server Expires cap: far beyond any run, so nothing lapses mid-measurement. */
const MAX_EXPIRES = 86_400;

export async function startTarget(mode: TargetMode, config: BenchConfig): Promise<BenchTarget> {
  const cpuProfileDir = config.serverCpuProfileDir;
  switch (mode) {
    case 'standalone':
      return startStandaloneTarget({ maxExpires: MAX_EXPIRES, ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }) });
    case 'cluster':
      return startClusterTarget({
        edges: config.edges,
        agents: config.agents,
        partitions: config.partitions,
        maxExpires: MAX_EXPIRES,
        ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
      });
    case 'kamailio':
      return startKamailioTarget();
    case 'external':
      if (config.target === undefined) throw new Error('external mode without --target');
      return externalTarget(config.target, config.metricsUrls, config.redis);
  }
}
