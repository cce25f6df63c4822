import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createPresenceMetrics } from '@presence/metrics';
import { buildInfo, handleHangup, processGuard, UsageError, type OptionValues, type Reload } from '@presence/runtime';
import { startEdgeWorker, WORKER_COUNT_ENV, WORKER_INDEX_ENV, WORKER_RELAY_KEY_ENV, workerEdgeId } from '@presence/standalone';
import { edgeConfigFromOptions } from '../edge-config-from-options.js';
import { withLogLevelReload } from '../log-level-file.js';
import { certificateReload, tlsFilesFromOptions } from '../tls-files.js';
import { openWireTracing } from '../trace/wire-tracing.js';
import { prefixes, roleLogger } from './role-context.js';

/** Most worker processes `--workers` may ask for: far above any core count this runs on, a bound against a typo. */
const MAX_WORKERS = 64;

/** `--workers N|auto`: how many edge worker processes; 1 (the default) runs the edge in the one process, as before. */
export function workersFromOptions(values: OptionValues): number {
  const raw = String(values.workers ?? '1').trim();
  const count = raw === 'auto' ? availableParallelism() : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) throw new UsageError(`--workers: expected an integer from 1 to ${MAX_WORKERS} or "auto", got "${raw}"`);
  // Checked here, in the primary, so a bad value stops the server before any worker starts.
  if (count > 1) workerUdpPort(values, count - 1, count);
  if (count > 1 && values['sip-trace'] !== undefined) throw new UsageError('--sip-trace writes one pcap file from one process: not with --workers above 1 (use --hep, which every worker sends to)');
  return count;
}

/**
 * `--worker-udp-ports FIRST`: the UDP port of worker `index`'s own (FIRST+index; 0 for any free port), or
 * undefined when unset. Refused when the last worker's port would not exist.
 */
export function workerUdpPort(values: OptionValues, index: number, count: number): number | undefined {
  const first = values['worker-udp-ports'];
  if (first === undefined) return undefined;
  if (typeof first !== 'number' || first + count - 1 > 65_535) throw new UsageError(`--worker-udp-ports: ${String(first)} + ${count} workers passes port 65535`);
  return first === 0 ? 0 : first + index;
}

/** This process is an edge worker forked by a standalone primary (node:cluster, with its index in the environment). */
export function isEdgeWorkerProcess(): boolean {
  return cluster.isWorker && process.env[WORKER_INDEX_ENV] !== undefined;
}

/**
 * An edge worker of `standalone --workers N`: the same options as the
 * primary, its own edge id, the bus and store of the primary. Signals are
 * the primary's to act on (a Ctrl-C reaches the whole process group): the
 * worker stops when the primary tells it, or when the primary is gone.
 */
export async function runEdgeWorker(values: OptionValues): Promise<void> {
  const index = Number(process.env[WORKER_INDEX_ENV]);
  const count = Number(process.env[WORKER_COUNT_ENV]);
  const logger = roleLogger(values, `standalone-worker-${index}`);
  handleHangup(logger).reloadWith(undefined);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => logger.debug({ signal }, 'signal left to the primary, which stops the workers'));
  const base = edgeConfigFromOptions(values);
  const edge = { ...base, edgeId: workerEdgeId(base.edgeId, index) };
  const tlsFiles = tlsFilesFromOptions(values, edge.listen, false);
  const metrics = createPresenceMetrics({ build: buildInfo() });
  const tracing = await openWireTracing(values, edge.edgeId, logger);
  processGuard(logger, metrics).install();
  const worker = await startEdgeWorker({
    index,
    count,
    relayKey: Buffer.from(process.env[WORKER_RELAY_KEY_ENV] ?? '', 'hex'),
    ownUdpPort: workerUdpPort(values, index, count),
    edge,
    subjectPrefix: prefixes(values).subjects,
    metrics,
    logger,
    onWire: tracing.observer,
    reload: (target): Reload | undefined => withLogLevelReload(values, logger, certificateReload(tlsFiles, target)),
    onRelay: (relayed) => metrics.udpRelays.inc({ result: relayed ? 'relayed' : 'dropped' }),
  }).catch(async (error: unknown) => {
    await tracing.close();
    throw error;
  });
  await worker.stopped;
  await tracing.close();
  process.exit(0);
}
