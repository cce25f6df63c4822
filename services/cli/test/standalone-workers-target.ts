import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@presence/core';
import { createRedisStore } from '@presence/store';
import { ALLOW_EVERY_WATCHER_ARGS, Children, freePort, freeUdpTcpPort, startPresenceProcess, startRedisServer, type ManagedServer, type PresenceProcess } from '@presence/testkit';
import { suiteUser, type PresenceTarget } from '@presence/testkit/behaviour';
import { SUITE_EDGE_ARGS } from './cluster-target.js';

export interface WorkersTarget extends PresenceTarget {
  readonly server: PresenceProcess;
  readonly sipPort: number;
  readonly dataDir: string;
}

/**
 * `presence standalone --workers N` as an operator runs it: one primary and
 * N edge worker processes sharing udp and tcp on one port. With `digest`,
 * the primary's store is a Redis of its own (`--redis`, served to the
 * workers like the memory store) and addUser puts users there, seen at
 * once (users.json of a data directory is only re-read every second).
 */
export async function startWorkersTarget(options: { workers?: number; digest?: boolean; args?: readonly string[]; extraListen?: string; ws?: boolean } = {}): Promise<WorkersTarget> {
  const children = new Children();
  const dataDir = await mkdtemp(join(tmpdir(), 'presence-workers-'));
  let redis: ManagedServer | undefined;
  try {
    redis = options.digest ? await startRedisServer() : undefined;
    const sipPort = await freeUdpTcpPort();
    const wsPort = options.ws ? await freePort('tcp') : undefined;
    const listen = [`udp:127.0.0.1:${sipPort}`, `tcp:127.0.0.1:${sipPort}`, ...(wsPort === undefined ? [] : [`ws:127.0.0.1:${wsPort}`]), ...(options.extraListen === undefined ? [] : [options.extraListen])];
    const server = await startPresenceProcess(children, 'standalone', 'workers-1', await freePort('tcp'), [
      ...ALLOW_EVERY_WATCHER_ARGS,
      '--workers', String(options.workers ?? 2),
      '--listen', listen.join(','),
      '--data-dir', dataDir,
      '--partitions', '16',
      '--log-level', 'warn',
      '--auth', options.digest ? 'digest' : 'none',
      ...(redis ? ['--redis', redis.url] : []),
      ...SUITE_EDGE_ARGS,
      ...(options.args ?? []),
    ]);
    const users = redis && (await createRedisStore({ url: redis.url, clock: systemClock }));
    return {
      server,
      sipPort,
      dataDir,
      port: (transport) => (transport === 'ws' && wsPort !== undefined ? wsPort : sipPort),
      addUser: users && ((aor, password) => users.putUser(suiteUser(aor, password))),
      async stop() {
        await users?.close();
        await server.stop();
        await children.killAll();
        await redis?.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await children.killAll();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
