import type { Children } from '../child-processes.js';
import { freePort, freeUdpTcpPort } from '../free-port.js';
import { metricValue } from '../metric-value.js';
import { sleep } from '../sleep.js';
import { startPresenceProcess, type PresenceProcess } from './presence-process.js';

export interface PresenceFleetOptions {
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
  /**
   * The agents' --default-sub-handling: allow (the default here, for tests
   * and tools that are not about authorization: every watcher sees every
   * presentity), or the server's own default confirm, or block.
   */
  readonly defaultSubHandling?: 'allow' | 'confirm' | 'block';
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

/** Presence agents and edges (separate processes) on one NATS and one Redis, each given as URL(s). */
export interface PresenceFleet {
  readonly edges: ClusterEdge[];
  readonly agents: PresenceProcess[];
  readonly partitions: number;
  startAgent(): Promise<PresenceProcess>;
  startEdge(): Promise<ClusterEdge>;
  /**
   * Starts the agent again with the same id and HTTP port (after a crash or
   * stop; it is stopped first if still running) and puts it in its place.
   */
  restartAgent(index: number): Promise<PresenceProcess>;
  /** The same for an edge, on the same SIP/WS/HTTP ports: what a restarted pod or systemd unit does. */
  restartEdge(index: number): Promise<ClusterEdge>;
  /** Resolves when every partition is owned by exactly one live agent (bounded). */
  settled(timeoutMs?: number): Promise<void>;
  /** SIGTERM every presence process (the caller stops the servers). */
  stop(): Promise<void>;
}

interface EdgePlan {
  readonly id: string;
  readonly sipPort: number;
  readonly wsPort: number;
  readonly http: number;
  readonly tlsPort?: number;
  readonly wssPort?: number;
}

/** A fleet with no processes yet: start them with startAgent/startEdge. */
export function presenceFleet(children: Children, natsUrl: string, redisUrl: string, options: PresenceFleetOptions = {}): PresenceFleet {
  const partitions = options.partitions ?? 16;
  const common = ['--nats', natsUrl, '--redis', redisUrl, '--partitions', String(partitions), '--log-level', options.logLevel ?? 'warn'];
  const edges: ClusterEdge[] = [];
  const agents: PresenceProcess[] = [];
  const edgePlans: EdgePlan[] = [];
  const agentPorts: number[] = [];
  let counter = 0;
  const tcp = (): Promise<number> => freePort('tcp');

  const runAgent = (id: string, http: number): Promise<PresenceProcess> =>
    startPresenceProcess(children, 'agent', id, http, [...common, '--default-sub-handling', options.defaultSubHandling ?? 'allow', ...(options.agentArgs ?? [])]);

  const runEdge = async (plan: EdgePlan): Promise<ClusterEdge> => {
    let listen = `udp:127.0.0.1:${plan.sipPort},tcp:127.0.0.1:${plan.sipPort},ws:127.0.0.1:${plan.wsPort}`;
    const tlsArgs: string[] = [];
    if (options.tls && plan.tlsPort !== undefined) {
      listen += `,tls:127.0.0.1:${plan.tlsPort},wss:127.0.0.1:${plan.wssPort}`;
      tlsArgs.push('--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile);
    }
    const auth = ['--auth', options.auth ?? 'none'];
    // The test and load clients of a local cluster all send from 127.0.0.1, thousands of requests a second:
    // the per-source limit is off here (edgeArgs may set it again; the last --rate-limit wins).
    const unlimited = ['--rate-limit', '0'];
    const process = await startPresenceProcess(children, 'edge', plan.id, plan.http, [...common, '--listen', listen, ...tlsArgs, ...auth, ...unlimited, ...(options.edgeArgs ?? [])]);
    const secure = plan.tlsPort === undefined ? {} : { tlsPort: plan.tlsPort, wssPort: plan.wssPort };
    return { process, sipPort: plan.sipPort, wsPort: plan.wsPort, ...secure };
  };

  return {
    edges,
    agents,
    partitions,
    async startAgent() {
      const http = options.agentHttpPorts?.[agents.length] ?? (await tcp());
      const agent = await runAgent(`agent-${++counter}`, http);
      agents.push(agent);
      agentPorts.push(http);
      return agent;
    },
    async startEdge() {
      const fixed = options.edgePorts?.[edges.length];
      const secure = options.tls && { tlsPort: await tcp(), wssPort: await tcp() };
      const plan: EdgePlan = {
        id: `edge-${++counter}`,
        sipPort: fixed?.sip ?? (await freeUdpTcpPort()),
        wsPort: fixed?.ws ?? (await tcp()),
        http: fixed?.http ?? (await tcp()),
        ...secure,
      };
      const edge = await runEdge(plan);
      edges.push(edge);
      edgePlans.push(plan);
      return edge;
    },
    async restartAgent(index) {
      const old = agents[index];
      if (old === undefined) throw new Error(`restartAgent: no agent #${index} (${agents.length} started)`);
      await old.stop();
      const agent = await runAgent(old.id, agentPorts[index]!);
      agents[index] = agent;
      return agent;
    },
    async restartEdge(index) {
      const old = edges[index];
      if (old === undefined) throw new Error(`restartEdge: no edge #${index} (${edges.length} started)`);
      await old.process.stop();
      const edge = await runEdge(edgePlans[index]!);
      edges[index] = edge;
      return edge;
    },
    async settled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const live = agents.filter((a) => !a.child.exited());
        const owned = await Promise.all(live.map(async (a) => metricValue(await a.metrics().catch(() => ''), 'presence_owned_partitions')));
        if (owned.reduce((x, y) => x + y, 0) === partitions && owned.every((o) => o > 0)) return;
        if (Date.now() > deadline) throw new Error(`partitions not settled: owned ${owned.join('+')} of ${partitions}`);
        await sleep(100);
      }
    },
    async stop() {
      await Promise.allSettled([...edges.map((e) => e.process.stop()), ...agents.map((a) => a.stop())]);
    },
  };
}
