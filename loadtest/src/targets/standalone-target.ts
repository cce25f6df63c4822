import { Children, freePort, freeUdpTcpPort, startPresenceProcess } from '@presence/dev-tools';
import { UsageError } from '../cli/usage-error.js';
import type { TransportName } from '../transport/channel.js';
import { presenceServerArgs, withServerPreload, type BenchTarget } from './bench-target.js';

export interface StandaloneOptions {
  readonly maxExpires: number;
  readonly cpuProfileDir?: string;
  readonly extraArgs?: readonly string[];
}

/** `presence standalone` on free ports of 127.0.0.1 (UDP+TCP share one, WebSocket its own). */
export async function startStandaloneTarget(options: StandaloneOptions): Promise<BenchTarget> {
  const children = new Children();
  const sipPort = await freeUdpTcpPort();
  const wsPort = await freePort('tcp');
  const httpPort = await freePort('tcp');
  const listen = `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort},ws:127.0.0.1:${wsPort}`;
  const server = await withServerPreload(options.cpuProfileDir, () =>
    startPresenceProcess(children, 'standalone', 'bench-standalone', httpPort, ['--listen', listen, ...presenceServerArgs(options.maxExpires), ...(options.extraArgs ?? [])]),
  );
  return {
    kind: 'standalone',
    label: 'standalone',
    endpoints: (transport: TransportName) => [{ host: '127.0.0.1', port: transport === 'ws' ? wsPort : sipPort }],
    probes: [{ name: 'standalone', metricsUrl: `${server.httpUrl}/metrics`, pid: server.child.process.pid }],
    async stop() {
      const code = await server.stop(15_000).catch(() => null);
      await children.killAll();
      if (code !== 0 && code !== null) process.stderr.write(`presence standalone exited with code ${code}:\n${server.child.stderr().slice(-2000)}\n`);
    },
  };
}

export function requireStreamOrDatagram(label: string, transport: TransportName): void {
  if (transport === 'ws') throw new UsageError(`--transport ws: ${label} has no WebSocket listener here; use udp or tcp`);
}
