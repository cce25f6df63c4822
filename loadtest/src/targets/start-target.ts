import type { BenchConfig, TargetMode } from '../cli/bench-config.js';
import type { BenchTarget } from './bench-target.js';
import type { BenchPresRules } from './bench-pres-rules.js';
import type { BenchUsers } from './bench-users.js';
import { startClusterTarget } from './cluster-target.js';
import { externalTarget } from './external-target.js';
import { startKamailioTarget } from './kamailio-target.js';
import { startStandaloneTarget } from './standalone-target.js';

/** Server Expires cap: far beyond any run, so nothing lapses mid-measurement. */
const MAX_EXPIRES = 86_400;

/** Starts (or names) the target; `users`: it authenticates them (--auth digest; standalone and cluster only). */
export async function startTarget(mode: TargetMode, config: BenchConfig, users?: BenchUsers, presRules?: BenchPresRules): Promise<BenchTarget> {
  const cpuProfileDir = config.serverCpuProfileDir;
  if (users !== undefined && mode !== 'standalone' && mode !== 'cluster') throw new Error(`--auth digest: the bench creates users only for the servers it starts, not --mode ${mode}`);
  const optional = { ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }), ...(users === undefined ? {} : { users }), ...(presRules === undefined ? {} : { presRules }) };
  switch (mode) {
    case 'standalone':
      return startStandaloneTarget({ maxExpires: MAX_EXPIRES, workers: config.serverWorkers, ...(config.serverWorkerUdpPorts === undefined ? {} : { workerUdpPorts: config.serverWorkerUdpPorts }), ...optional });
    case 'cluster':
      return startClusterTarget({ edges: config.edges, agents: config.agents, partitions: config.partitions, maxExpires: MAX_EXPIRES, ...optional });
    case 'kamailio':
      return startKamailioTarget(kamailioLoad(config));
    case 'external':
      if (config.target === undefined) throw new Error('external mode without --target');
      return externalTarget(config.target, config.metricsUrls, config.redis);
  }
}

/** The most the run asks of the reference: its population and its top PUBLISH rate (shared memory is sized for both). */
function kamailioLoad(config: BenchConfig): { subscriptions: number; publishRate: number; watchers: number } {
  if (config.run === 'memory') return { subscriptions: config.memory.subscriptions, publishRate: 0, watchers: 0 };
  const publishRate = config.run === 'find-max' ? Math.max(config.rate, config.findMax.maxRate) : config.rate;
  return { subscriptions: config.presentities * config.watchers, publishRate, watchers: config.watchers };
}
