import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_EVERY_WATCHER_ARGS, Children, freePort, freeUdpTcpPort, startPresenceProcess } from '@presence/dev-tools';
import { UsageError } from '../cli/usage-error.js';
import type { TransportName } from '../transport/channel.js';
import { LOCAL_SERVER_HOST, presenceServerArgs, withServerPreload, type BenchTarget } from './bench-target.js';
import { writePresRulesToDataDir, type BenchPresRules } from './bench-pres-rules.js';
import { writeUsersToDataDir, type BenchUsers } from './bench-users.js';

export interface StandaloneOptions {
  readonly maxExpires: number;
  /** `--workers` (default 1: one process); the CPU probe counts the workers too (they are the server's children). */
  readonly workers?: number;
  /** `--worker-udp-ports` (with workers above 1): each worker's NOTIFYs leave from a port of its own. */
  readonly workerUdpPorts?: number;
  readonly cpuProfileDir?: string;
  readonly extraArgs?: readonly string[];
  /** --auth digest with these users (in a data directory of its own); none: --auth none. */
  readonly users?: BenchUsers;
  /** --pres-rules allow-domain: these documents in its data directory before it starts. */
  readonly presRules?: BenchPresRules;
}

/** `presence standalone` on free ports of 127.0.0.1 (UDP+TCP share one, WebSocket its own). */
export async function startStandaloneTarget(options: StandaloneOptions): Promise<BenchTarget> {
  const children = new Children();
  const sipPort = await freeUdpTcpPort();
  const wsPort = await freePort('tcp');
  const httpPort = await freePort('tcp');
  const host = LOCAL_SERVER_HOST;
  const listen = `udp:${host}:${sipPort},tcp:${host}:${sipPort},ws:${host}:${wsPort}`;
  const auth = await dataDirArgs(options.users, options.presRules);
  // Without rules every watcher is allowed by default; with them the server keeps its default (confirm), so only the rules let watchers see.
  const authorization = options.presRules === undefined ? ALLOW_EVERY_WATCHER_ARGS : [];
  const workers = options.workers ?? 1;
  const args = ['--listen', listen, ...presenceServerArgs(options.maxExpires), ...authorization, ...auth.args, ...(workers > 1 ? ['--workers', String(workers)] : []), ...(options.workerUdpPorts === undefined ? [] : ['--worker-udp-ports', String(options.workerUdpPorts)]), ...(options.extraArgs ?? [])];
  let server;
  try {
    server = await withServerPreload(options.cpuProfileDir, () => startPresenceProcess(children, 'standalone', 'bench-standalone', httpPort, args));
  } catch (error) {
    await auth.remove();
    throw error;
  }
  return {
    kind: 'standalone',
    label: `standalone${workers > 1 ? ` --workers ${workers}` : ''}${options.workerUdpPorts === undefined ? '' : ' (own ports)'}${options.users === undefined ? '' : '+digest'}`,
    endpoints: (transport: TransportName) => [{ host, port: transport === 'ws' ? wsPort : sipPort }],
    serverArgs: args,
    probes: [{ name: 'standalone', metricsUrl: `${server.httpUrl}/metrics`, pid: server.child.process.pid }],
    async stop() {
      const code = await server.stop(15_000).catch(() => null);
      await children.killAll();
      await auth.remove();
      if (code !== 0 && code !== null) process.stderr.write(`presence standalone exited with code ${code}:\n${server.child.stderr().slice(-2000)}\n`);
    },
  };
}

/**
 * `--auth none`, or `--auth digest`; with users or pres-rules, on a data
 * directory of its own holding them, which `remove` deletes.
 */
async function dataDirArgs(users: BenchUsers | undefined, presRules: BenchPresRules | undefined): Promise<{ args: string[]; remove(): Promise<void> }> {
  const auth = ['--auth', users === undefined ? 'none' : 'digest'];
  if (users === undefined && presRules === undefined) return { args: auth, remove: async () => undefined };
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-standalone-'));
  const remove = (): Promise<void> => rm(dataDir, { recursive: true, force: true });
  try {
    // Before the server starts: it reads users.json and its store's snapshot then, so it refuses none of them meanwhile.
    if (users !== undefined) await writeUsersToDataDir(dataDir, users);
    if (presRules !== undefined) await writePresRulesToDataDir(dataDir, presRules);
  } catch (error) {
    await remove();
    throw error;
  }
  return { args: [...auth, '--data-dir', dataDir], remove };
}

export function requireStreamOrDatagram(label: string, transport: TransportName): void {
  if (transport === 'ws') throw new UsageError(`--transport ws: ${label} has no WebSocket listener here; use udp or tcp`);
}
