import type { BenchTarget } from '../targets/bench-target.js';
import { processTree, statFields } from './process-tree.js';

/** Linux reports utime/stime in clock ticks of 1/100 s (getconf CLK_TCK on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far, per named process of a target (each with its descendants). */
export type CpuByProcess = Readonly<Record<string, number>>;

/**
 * CPU seconds (user + system) used so far by each process of the target,
 * each with its descendants (Kamailio and standalone --workers fork),
 * NATS and Redis under their own names where the bench started them.
 * Undefined where /proc is missing.
 */
export async function targetCpuByProcess(target: BenchTarget): Promise<CpuByProcess | undefined> {
  const roots = [...target.probes.flatMap((p) => (p.pid === undefined ? [] : [{ name: p.name, pid: p.pid }])), ...(target.helperProcesses?.() ?? [])];
  const byProcess: Record<string, number> = {};
  let seen = 0;
  for (const root of roots) {
    let ticks = 0;
    for (const pid of await processTree(root.pid)) {
      const fields = await statFields(pid);
      if (fields === undefined) continue;
      // Fields 14 and 15 of /proc/<pid>/stat: utime, stime (index 0 here is field 3).
      ticks += Number(fields[11]) + Number(fields[12]);
      seen++;
    }
    byProcess[root.name] = (byProcess[root.name] ?? 0) + ticks / TICKS_PER_SECOND;
  }
  return seen === 0 ? undefined : byProcess;
}

/** The sum of targetCpuByProcess: every process of the target. */
export async function targetCpuSeconds(target: BenchTarget): Promise<number | undefined> {
  const byProcess = await targetCpuByProcess(target);
  return byProcess === undefined ? undefined : sumCpu(byProcess);
}

export function sumCpu(byProcess: CpuByProcess): number {
  return Object.values(byProcess).reduce((total, seconds) => total + seconds, 0);
}

/** CPU used between two readings, per process present in both. */
export function cpuDelta(before: CpuByProcess, after: CpuByProcess): CpuByProcess {
  return Object.fromEntries(Object.entries(after).flatMap(([name, seconds]) => (before[name] === undefined ? [] : [[name, seconds - before[name]]])));
}
