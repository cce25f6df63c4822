import { Children } from '../child-processes.js';
import { freePort, freeUdpTcpPort } from '../free-port.js';
import { metricValue } from '../metric-value.js';
import { sleep } from '../sleep.js';
import { startNatsServer, type NatsServerProcess } from './nats-server.js';
import { startPresenceProcess, type PresenceProcess } from './presence-process.js';
import { startRedisServer, type RedisServerProcess } from './redis-server.js';

export interface LocalClusterOptions {
  readonly edges?: number;
  readonly agents?: number;
  readonly partitions?: number;
  /** Extra options for every edge / agent (e.g. --min-expires 2). */
  readonly edgeArgs?: readonly string[];
  readonly agentArgs?: readonly string[];
  /** Fixed ports for the edges, in order (default: free ports). */
  readonly edgePorts?: readonly { sip: number; ws: number; http: number }[];
  readonly agentHttpPorts?: readonly number[];
  readonly logLevel?: string;
  /** PEM files: every edge also listens on tls and wss (free ports) with this certificate. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /**
   * Authentication at the edges: none (the default, for tests and tools that
   * are not about it; the edges listen on loopback), or digest, whose users
   * the caller creates in `redis`.
   */
  readonly auth?: 'none' | 'digest';
}

export interface ClusterEdge {
  readonly process: PresenceProcess;
  /** UDP and TCP share it. */
  readonly sipPort: number;
  readonly wsPort: number;
  /** With LocalClusterOptions.tls. */
  readonly tlsPort?: number;
  readonly wssPort?: number;
}

export interface LocalCluster {
  readonly nats: NatsServerProcess;
  readonly redis: RedisServerProcess;
  readonly edges: ClusterEdge[];
  readonly agents: PresenceProcess[];
  readonly partitions: number;
  startAgent(): Promise<PresenceProcess>;
  startEdge(): Promise<ClusterEdge>;
  /** Resolves when every partition is owned by exactly one live agent (bounded). */
  settled(timeoutMs?: number): Promise<void>;
  /** SIGTERM every presence process, then the servers. */
  stop(): Promise<void>;
}

/**
 * A real cluster on this machine: its own nats-server and redis-server on free
 * ports, presence agents and edges as separate processes (`presence agent`,
 * `presence edge`), for end-to-end and fault tests and `npm run cluster`.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const partitions = options.partitions ?? 16;
  const children = new Children();
  const nats = await startNatsServer();
  const redis = await startRedisServer();
  const common = ['--nats', nats.url, '--redis', redis.url, '--partitions', String(partitions), '--log-level', options.logLevel ?? 'warn'];
  const edges: ClusterEdge[] = [];
  const agents: PresenceProcess[] = [];
  let counter = 0;

  const cluster: LocalCluster = {
    nats,
    redis,
    edges,
    agents,
    partitions,
    async startAgent() {
      const n = ++counter;
      const http = options.agentHttpPorts?.[agents.length] ?? (await freePort('tcp'));
      const agent = await startPresenceProcess(children, 'agent', `agent-${n}`, http, [...common, ...(options.agentArgs ?? [])]);
      agents.push(agent);
      return agent;
    },
    async startEdge() {
      const n = ++counter;
      const fixed = options.edgePorts?.[edges.length];
      const sipPort = fixed?.sip ?? (await freeUdpTcpPort());
      const wsPort = fixed?.ws ?? (await freePort('tcp'));
      const http = fixed?.http ?? (await freePort('tcp'));
      const secure = options.tls && { tlsPort: await freePort('tcp'), wssPort: await freePort('tcp') };
      let listen = `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort},ws:127.0.0.1:${wsPort}`;
      const tlsArgs: string[] = [];
      if (options.tls && secure) {
        listen += `,tls:127.0.0.1:${secure.tlsPort},wss:127.0.0.1:${secure.wssPort}`;
        tlsArgs.push('--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile);
      }
      const auth = ['--auth', options.auth ?? 'none'];
      // The test and load clients of a local cluster all send from 127.0.0.1, thousands of requests a second:
      // the per-source limit is off here (edgeArgs may set it again; the last --rate-limit wins).
      const unlimited = ['--rate-limit', '0'];
      const process = await startPresenceProcess(children, 'edge', `edge-${n}`, http, [...common, '--listen', listen, ...tlsArgs, ...auth, ...unlimited, ...(options.edgeArgs ?? [])]);
      const edge = { process, sipPort, wsPort, ...secure };
      edges.push(edge);
      return edge;
    },
    async settled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const live = agents.filter((a) => !a.child.exited());
        const owned = await Promise.all(live.map(async (a) => metricValue(await a.metrics(), 'presence_owned_partitions')));
        if (owned.reduce((x, y) => x + y, 0) === partitions && owned.every((o) => o > 0)) return;
        if (Date.now() > deadline) throw new Error(`partitions not settled: owned ${owned.join('+')} of ${partitions}`);
        await sleep(100);
      }
    },
    async stop() {
      await Promise.allSettled([...edges.map((e) => e.process.stop()), ...agents.map((a) => a.stop())]);
      await children.killAll();
      await Promise.allSettled([nats.stop(), redis.stop()]);
    },
  };

  try {
    for (let i = 0; i < (options.agents ?? 2); i++) await cluster.startAgent();
    for (let i = 0; i < (options.edges ?? 2); i++) await cluster.startEdge();
    await cluster.settled();
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
