import { readFile } from 'node:fs/promises';
import { httpGet, metricValue } from '@presence/dev-tools';
import type { MemoryProbe } from '../targets/bench-target.js';
import { processTree } from './process-tree.js';

export interface ProcessMemory {
  readonly name: string;
  /** Resident set size (from /metrics), or PSS summed over the process tree (from /proc). */
  readonly rssBytes: number;
  /** V8 heap in use (Node processes only). */
  readonly heapUsedBytes?: number;
  readonly source: 'metrics' | 'proc';
}

const METRICS_TIMEOUT_MS = 60_000;

/** Reads every probe; a probe that fails is left out (and said so on stderr) rather than failing the run. */
export async function readProcessMemory(probes: readonly MemoryProbe[]): Promise<ProcessMemory[]> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      try {
        return await readProbe(probe);
      } catch (error) {
        process.stderr.write(`memory of ${probe.name}: ${error instanceof Error ? error.message : String(error)}\n`);
        return undefined;
      }
    }),
  );
  return results.filter((r): r is ProcessMemory => r !== undefined);
}

async function readProbe(probe: MemoryProbe): Promise<ProcessMemory> {
  if (probe.metricsUrl !== undefined) {
    // Generous: a busy box, right after the forced collection, with 100,000s of dialogs held, took longer than 5 s.
    const { status, body } = await httpGet(probe.metricsUrl, METRICS_TIMEOUT_MS);
    if (status !== 200) throw new Error(`GET ${probe.metricsUrl}: HTTP ${status}`);
    return {
      name: probe.name,
      rssBytes: metricValue(body, 'process_resident_memory_bytes'),
      heapUsedBytes: metricValue(body, 'nodejs_heap_size_used_bytes'),
      source: 'metrics',
    };
  }
  if (probe.pid !== undefined) return { name: probe.name, rssBytes: await treePssBytes(probe.pid), source: 'proc' };
  throw new Error('no metrics URL and no pid');
}

/**
 * Proportional set size of a process and all its descendants (Linux
 * /proc/<pid>/smaps_rollup): shared memory — Kamailio keeps its presence
 * tables there — is divided among the processes mapping it, so the sum
 * counts it once.
 */
export async function treePssBytes(rootPid: number): Promise<number> {
  let total = 0;
  for (const pid of await processTree(rootPid)) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
    if (match) total += Number(match[1]) * 1024;
  }
  if (total === 0) throw new Error(`no /proc/${rootPid}/smaps_rollup (process gone, or not Linux)`);
  return total;
}
