import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { startLatencyTrace } from './latency-trace.js';

/**
 * Loaded into the presence processes the bench starts (NODE_OPTIONS=--import;
 * Node refuses --cpu-prof and --expose-gc there). It does nothing until the
 * bench sends SIGUSR2, and then one of two things:
 *
 * - with PRESENCE_BENCH_CPU_PROFILE_DIR set, the process is profiled from its
 *   start; each SIGUSR2 writes the profile so far as `<dir>/<pid>-<n>.cpuprofile`
 *   and starts the next, so the bench cuts one profile per phase; the last
 *   one is written at exit;
 * - otherwise SIGUSR2 runs a full garbage collection, so the heap figure read
 *   next from /metrics is live data, not garbage V8 has not collected yet.
 *
 * The in-process inspector session answers synchronously, which lets the
 * 'exit' handler still write the final profile.
 *
 * A primary of `standalone --workers N` passes each SIGUSR2 on to its edge
 * workers (node:cluster children, which load this preload too: NODE_OPTIONS
 * is inherited), so their profiles are cut per phase like the primary's and
 * their heaps collected before a memory reading.
 */
const session = new Session();
session.connect();
const profileDir = process.env.PRESENCE_BENCH_CPU_PROFILE_DIR;
const heapSnapshotDir = process.env.PRESENCE_BENCH_HEAP_SNAPSHOT_DIR;
let snapshots = 0;

process.on('SIGUSR2', () => {
  for (const worker of Object.values(cluster.workers ?? {})) {
    try {
      worker?.process.kill('SIGUSR2');
    } catch {
      // the worker is gone: nothing to cut
    }
  }
});

if (profileDir !== undefined && profileDir !== '') {
  let part = 0;
  const start = (): void => {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
  };
  const cut = (): void => {
    session.post('Profiler.stop', (error, result) => {
      if (error === null && result !== undefined) writeFileSync(join(profileDir, `${process.pid}-${++part}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  start();
  process.on('SIGUSR2', () => {
    cut();
    start();
  });
  process.on('exit', cut);
} else {
  process.on('SIGUSR2', () => {
    session.post('HeapProfiler.enable');
    session.post('HeapProfiler.collectGarbage');
    if (heapSnapshotDir !== undefined && heapSnapshotDir !== '') writeHeapSnapshot(join(heapSnapshotDir, `${process.pid}-${++snapshots}.heapsnapshot`));
  });
}

// PRESENCE_BENCH_LATENCY_DIR: the server's own delays per bench phase (latency-trace.ts).
const latencyDir = process.env.PRESENCE_BENCH_LATENCY_DIR;
if (latencyDir !== undefined && latencyDir !== '') startLatencyTrace(latencyDir, process.env.PRESENCE_BENCH_LATENCY_TURNS === '1');
