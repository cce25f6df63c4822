import type { BenchTarget } from '../targets/bench-target.js';
import { processTree, statFields } from './process-tree.js';

/** Linux reports utime/stime in clock ticks of 1/100 s (getconf CLK_TCK on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by every process of the target,
 * each with its descendants (Kamailio forks workers), NATS and Redis
 * included where the bench started them. Undefined where /proc is missing.
 */
export async function targetCpuSeconds(target: BenchTarget): Promise<number | undefined> {
  const roots = [...target.probes.flatMap((p) => (p.pid === undefined ? [] : [p.pid])), ...(target.helperPids?.() ?? [])];
  if (roots.length === 0) return undefined;
  let ticks = 0;
  let seen = 0;
  for (const root of roots) {
    for (const pid of await processTree(root)) {
      const fields = await statFields(pid);
      if (fields === undefined) continue;
      // Fields 14 and 15 of /proc/<pid>/stat: utime, stime (index 0 here is field 3).
      ticks += Number(fields[11]) + Number(fields[12]);
      seen++;
    }
  }
  return seen === 0 ? undefined : ticks / TICKS_PER_SECOND;
}
