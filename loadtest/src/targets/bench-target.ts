import { mkdir } from 'node:fs/promises';
import type { Endpoint, TransportName } from '../transport/channel.js';

/** Where a process's memory is read: its /metrics (our processes) or /proc (anything with a pid). */
export interface MemoryProbe {
  readonly name: string;
  readonly metricsUrl?: string;
  readonly pid?: number;
}

/** A server under test, started by the bench or already running. */
export interface BenchTarget {
  readonly kind: 'standalone' | 'cluster' | 'kamailio' | 'external';
  /** Short name for tables, e.g. `cluster 2e/2a`. */
  readonly label: string;
  /** SIP endpoints for a transport; throws a UsageError naming the problem if the target lacks it. */
  endpoints(transport: TransportName): Endpoint[];
  readonly probes: readonly MemoryProbe[];
  /** Redis to read INFO memory from (cluster mode, or given for an external target). */
  readonly redis?: Endpoint;
  /** Processes that serve the target without a probe of their own (cluster: nats-server, redis-server); counted in its CPU, each under its name. */
  readonly helperProcesses?: () => readonly { readonly name: string; readonly pid: number }[];
  /**
   * The options the bench gave our presence processes (standalone: the server; cluster: the edges), printed at
   * the start of a run: a result is read against them, e.g. whether overload mode and the rate limit were on.
   */
  readonly serverArgs?: readonly string[];
  stop(): Promise<void>;
}

/** Where the servers the bench starts listen, and so the domain of its AORs unless --domain says otherwise. */
export const LOCAL_SERVER_HOST = '127.0.0.1';

/**
 * Options every presence process we start gets: no NOTIFY rate limit, quiet
 * logs, long-lived soft state. Authentication is the target's to add:
 * `--auth none` (allowed on loopback) unless the run has users.
 */
export function presenceServerArgs(maxExpires: number): string[] {
  // The generator is one source (127.0.0.1): --rate-limit 0 for its thousands of requests a second, and the
  // per-address subscription cap (10,000 by default, 503 past it) above the 1,000,000 of --memory --big.
  return ['--notify-min-interval', '0', '--log-level', 'warn', '--max-expires', String(maxExpires), '--rate-limit', '0', '--max-subscriptions-per-address', '2000000'];
}

/** The log line naming a target's server options, or undefined for targets the bench did not start (Kamailio, external). */
export function serverArgsLine(target: BenchTarget): string | undefined {
  if (target.serverArgs === undefined) return undefined;
  // Overload mode (--overload-event-loop-lag, --overload-pending) and the SIP admission queue stay at the server's defaults.
  return `${target.label} runs with: ${target.serverArgs.join(' ')} (every other option at its default)`;
}

/** The built preload that lets the bench profile or garbage-collect a server process (probes/server-preload.ts). */
const SERVER_PRELOAD = new URL('../probes/server-preload.js', import.meta.url).href;

/**
 * Runs `start` with NODE_OPTIONS loading the server preload, so the presence
 * processes it spawns (synchronously, before its first await) answer
 * SIGUSR2 (signalServers): a garbage collection, or with `cpuProfileDir` a
 * cut of their CPU profile into that directory.
 */
export async function withServerPreload<T>(cpuProfileDir: string | undefined, start: () => Promise<T>): Promise<T> {
  if (cpuProfileDir !== undefined) await mkdir(cpuProfileDir, { recursive: true });
  const saved = { options: process.env.NODE_OPTIONS, dir: process.env.PRESENCE_BENCH_CPU_PROFILE_DIR };
  // PRESENCE_BENCH_SERVER_NODE_OPTIONS: Node/V8 options for the servers only (e.g. heap sizes), not the generator.
  process.env.NODE_OPTIONS = `${saved.options ?? ''} ${process.env.PRESENCE_BENCH_SERVER_NODE_OPTIONS ?? ''} --import=${SERVER_PRELOAD}`.replace(/\s+/g, ' ').trim();
  if (cpuProfileDir === undefined) delete process.env.PRESENCE_BENCH_CPU_PROFILE_DIR;
  else process.env.PRESENCE_BENCH_CPU_PROFILE_DIR = cpuProfileDir;
  try {
    return await start();
  } finally {
    restore('NODE_OPTIONS', saved.options);
    restore('PRESENCE_BENCH_CPU_PROFILE_DIR', saved.dir);
  }
}

/**
 * SIGUSR2 to every presence process of the target (those with a pid and
 * /metrics: the ones started with the preload); true if any was signalled.
 */
export function signalServers(target: BenchTarget): boolean {
  let any = false;
  for (const probe of target.probes) {
    if (probe.pid === undefined || probe.metricsUrl === undefined) continue;
    try {
      process.kill(probe.pid, 'SIGUSR2');
      any = true;
    } catch {
      // already gone: its reading will fail and say so
    }
  }
  return any;
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
