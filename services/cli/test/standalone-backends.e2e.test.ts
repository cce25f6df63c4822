import {
  ALLOW_EVERY_WATCHER_ARGS,
  Children,
  freePort,
  freeUdpTcpPort,
  startNatsServer,
  startPresenceProcess,
  startRedisServer,
  type ManagedServer,
} from '@presence/testkit';
import { presenceBehaviourSuite, type PresenceTarget } from '@presence/testkit/behaviour';
import { describe } from 'vitest';
import { clusterTierAvailable, SUITE_EDGE_ARGS } from './cluster-target.js';

/** `presence standalone --nats ... --redis ...`: one process, real NATS and Redis. */
async function startStandaloneOnBackends(): Promise<PresenceTarget> {
  const children = new Children();
  const servers: ManagedServer[] = [];
  try {
    const nats = await startNatsServer();
    servers.push(nats);
    const redis = await startRedisServer();
    servers.push(redis);
    const sip = await freeUdpTcpPort();
    const ws = await freePort('tcp');
    const listen = `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip},ws:127.0.0.1:${ws}`;
    const server = await startPresenceProcess(children, 'standalone', 'standalone-1', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
      '--nats', nats.url, '--redis', redis.url, '--listen', listen, '--partitions', '16', '--log-level', 'warn', '--auth', 'none', ...SUITE_EDGE_ARGS,
    ]);
    return {
      port: (transport) => (transport === 'ws' ? ws : sip),
      async stop() {
        await server.stop();
        await children.killAll();
        await Promise.allSettled(servers.map((s) => s.stop()));
      },
    };
  } catch (error) {
    await children.killAll();
    await Promise.allSettled(servers.map((s) => s.stop()));
    throw error;
  }
}

describe.runIf(clusterTierAvailable())('standalone on NATS and Redis', () => {
  presenceBehaviourSuite('standalone --nats --redis', 'tcp', startStandaloneOnBackends);
});
