import { setMaxListeners } from 'node:events';
import { availableParallelism, cpus } from 'node:os';
import { sleep } from '@presence/dev-tools';
import { stopOnAbort } from '../modes/abort-cleanup.js';
import type { BenchTarget } from '../targets/bench-target.js';
import { startClusterTarget } from '../targets/cluster-target.js';
import { startStandaloneTarget } from '../targets/standalone-target.js';
import { newRunId } from '../worker/workload-grid.js';
import { SoakClient } from './soak-client.js';
import { shortestExpires, type SoakConfig } from './soak-options.js';
import { runPopulation } from './soak-population.js';
import { formatElapsed } from './soak-report.js';
import { readSample, type SoakSample } from './soak-sampler.js';
import { SoakStats } from './soak-stats.js';
import { LatencyWindows, RowAccumulator, summarize, type SoakRow, type SoakSummary } from './soak-summary.js';

/** Watchers and publishers per UDP socket / connection. */
const MEMBERS_PER_CHANNEL = 100;
/** Longest Expires granted: the workload's own are far shorter. */
const MAX_EXPIRES = 3600;

export interface SoakResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly host: { readonly node: string; readonly cpus: number; readonly cpuModel: string };
  readonly target: string;
  readonly config: SoakConfig;
  readonly samples: readonly SoakSample[];
  readonly summary: SoakSummary;
}

export interface SoakOutcome {
  readonly result: SoakResult;
  readonly rows: readonly SoakRow[];
}

function startSoakTarget(config: SoakConfig): Promise<BenchTarget> {
  const minExpires = ['--min-expires', String(shortestExpires(config.workload))];
  if (config.mode === 'standalone') return startStandaloneTarget({ maxExpires: MAX_EXPIRES, extraArgs: minExpires });
  return startClusterTarget({ edges: config.edges, agents: config.agents, partitions: config.partitions, maxExpires: MAX_EXPIRES, edgeArgs: minExpires });
}

/**
 * Starts the target, runs the churning population for the whole duration
 * and reads the servers every interval; then stops everything it started.
 */
export async function runSoak(config: SoakConfig, log: (line: string) => void): Promise<SoakOutcome> {
  const startedAt = new Date();
  const target = await startSoakTarget(config);
  const forget = stopOnAbort(() => target.stop());
  try {
    return await soakAgainst(target, config, startedAt, log);
  } finally {
    await target.stop();
    forget();
  }
}

async function soakAgainst(target: BenchTarget, config: SoakConfig, startedAt: Date, log: (line: string) => void): Promise<SoakOutcome> {
  const { workload } = config;
  const endpoints = target.endpoints(config.transport);
  const runId = newRunId();
  const members = workload.presentities * (workload.watchersPerPresentity + 1);
  const client = await SoakClient.open({
    transport: config.transport,
    endpoints,
    localHost: '127.0.0.1',
    channelsPerEndpoint: Math.max(1, Math.ceil(members / endpoints.length / MEMBERS_PER_CHANNEL)),
    timeoutMs: config.timeoutS * 1000,
    callIdPrefix: runId,
  });
  const controller = new AbortController();
  // Every watcher and publisher waits on it: one listener each, bounded by the population.
  setMaxListeners(0, controller.signal);
  const stats = new SoakStats();
  const population = runPopulation({ client, stats, workload, runId, domain: endpoints[0]!.host, signal: controller.signal });
  log(`soak: ${target.label}, ${formatElapsed(config.durationS)}, ${workload.presentities} presentities × ${workload.watchersPerPresentity} watchers, ${workload.publishRate} PUBLISH/s, reading every ${config.intervalS} s`);
  const judgedS = config.durationS - config.warmupS;
  const windowIntervals = Math.max(1, Math.round((judgedS * 0.1) / config.intervalS));
  const windows = new LatencyWindows(config.warmupS, windowIntervals);
  const accumulator = new RowAccumulator(config.rowEvery);
  const samples: SoakSample[] = [];
  const rows: SoakRow[] = [];
  const t0 = Date.now();
  try {
    for (let i = 1; i * config.intervalS <= config.durationS; i++) {
      await sleep(Math.max(0, t0 + i * config.intervalS * 1000 - Date.now()));
      const atS = (Date.now() - t0) / 1000;
      const { report, histogram } = stats.take();
      const sample = await readSample(target, atS, report, client.tracked);
      samples.push(sample);
      windows.add(atS, histogram);
      const row = accumulator.add(sample, histogram);
      if (row !== undefined) rows.push(row);
      const memory = sample.processes.map((p) => `${p.name} ${(p.rssBytes / 1048576).toFixed(1)}/${((p.heapUsedBytes ?? 0) / 1048576).toFixed(1)}M`).join(', ');
      log(`  ${formatElapsed(atS)}: ${report.requests} requests, ${report.failures} failed, ${report.notifies} NOTIFYs, p99 ${report.latency.p99Ms.toFixed(1)} ms; RSS/heap ${memory}`);
    }
  } finally {
    controller.abort();
    await client.close();
    await population;
  }
  const summary = summarize(samples, config.warmupS, windows, windowIntervals * config.intervalS, {
    maxRssGrowthMb: config.maxRssGrowthMb,
    maxFailureFraction: config.maxFailurePct / 100,
  });
  const result: SoakResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    host: { node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown' },
    target: target.label,
    config,
    samples,
    summary,
  };
  return { result, rows };
}
