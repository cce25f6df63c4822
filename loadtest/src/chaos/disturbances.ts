import { sleep, type PresenceFleet } from '@presence/dev-tools';
import type { Backends } from './chaos-cluster.js';

/** How long a killed process stays down before it is started again. */
const DOWN_MS = 2000;
/** Bound on the partitions settling after an agent is back. */
const SETTLE_MS = 30_000;

export type DisturbanceName = 'agent-kill' | 'edge-kill' | 'nats-restart' | 'redis-restart' | 'agent-stall';
export const DISTURBANCE_NAMES: readonly DisturbanceName[] = ['agent-kill', 'edge-kill', 'nats-restart', 'redis-restart', 'agent-stall'];

export interface Disturbance {
  readonly name: DisturbanceName;
  /** What it does, for the report. */
  readonly description: string;
  /** Faults the process and puts it back; resolves once it is running again. */
  run(): Promise<void>;
}

interface DisturbanceContext {
  readonly leaseMs: number;
  readonly clustered: { readonly nats: boolean; readonly redis: boolean };
  readonly redisFsync: 'always' | 'everysec' | 'none';
}

/** The five disturbances of the issue, in the order they run by default. */
export function disturbancesFor(fleet: PresenceFleet, backends: Backends, ctx: DisturbanceContext): Disturbance[] {
  const natsWhat = ctx.clustered.nats ? 'one of three NATS nodes' : 'nats-server';
  const persistence = ctx.redisFsync === 'none' ? 'no persistence' : `AOF, appendfsync ${ctx.redisFsync}`;
  const redisWhat = ctx.clustered.redis ? `one of three Redis Cluster masters (${persistence})` : `redis-server (${persistence})`;
  return [
    {
      name: 'agent-kill',
      description: `SIGKILL agent ${fleet.agents[0]?.id}, same id back after ${DOWN_MS / 1000} s`,
      async run() {
        await fleet.agents[0]!.kill();
        await sleep(DOWN_MS);
        await fleet.restartAgent(0);
        await fleet.settled(SETTLE_MS);
      },
    },
    {
      name: 'edge-kill',
      description: `SIGKILL edge ${fleet.edges[0]?.process.id}, back on the same ports after ${DOWN_MS / 1000} s`,
      async run() {
        await fleet.edges[0]!.process.kill();
        await sleep(DOWN_MS);
        await fleet.restartEdge(0);
      },
    },
    killAndRestart('nats-restart', natsWhat, backends.natsVictim, fleet),
    killAndRestart('redis-restart', redisWhat, backends.redisVictim, fleet),
    {
      name: 'agent-stall',
      description: `SIGSTOP agent ${fleet.agents[1]?.id ?? fleet.agents[0]?.id} for lease + 2 s, then SIGCONT`,
      async run() {
        const victim = fleet.agents[1] ?? fleet.agents[0]!;
        victim.child.process.kill('SIGSTOP');
        try {
          await sleep(ctx.leaseMs + 2000);
        } finally {
          victim.child.process.kill('SIGCONT');
        }
        await fleet.settled(SETTLE_MS);
      },
    },
  ];
}

/** SIGKILL a server, start it again on the same port after DOWN_MS, wait for the partitions to settle. */
function killAndRestart(name: DisturbanceName, what: string, victim: Backends['natsVictim'], fleet: PresenceFleet): Disturbance {
  return {
    name,
    description: `SIGKILL ${what}, restarted after ${DOWN_MS / 1000} s`,
    async run() {
      await victim.kill();
      await sleep(DOWN_MS);
      await victim.restart();
      await fleet.settled(SETTLE_MS);
    },
  };
}
