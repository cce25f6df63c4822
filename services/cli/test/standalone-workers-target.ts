import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_EVERY_WATCHER_ARGS, Children, freePort, freeUdpTcpPort, startPresenceProcess, type PresenceProcess } from '@presence/testkit';
import { suiteUser, type PresenceTarget } from '@presence/testkit/behaviour';
import { createUsersFileStore } from '@presence/store';
import { SUITE_EDGE_ARGS } from './cluster-target.js';

export interface WorkersTarget extends PresenceTarget {
  readonly server: PresenceProcess;
  readonly sipPort: number;
  readonly dataDir: string;
}

/**
 * `presence standalone --workers N` as an operator runs it: one primary and
 * N edge worker processes sharing udp and tcp on one port. With `digest`,
 * users go into the data directory's users.json as `presence user add`
 * puts them; the server picks a change up within about a second, so
 * addUser waits until the new user is served (readUser through a REGISTER
 * is the behaviour under test: the wait is on the file, see addUser).
 */
export async function startWorkersTarget(options: { workers?: number; digest?: boolean; args?: readonly string[] } = {}): Promise<WorkersTarget> {
  const children = new Children();
  const dataDir = await mkdtemp(join(tmpdir(), 'presence-workers-'));
  try {
    const sipPort = await freeUdpTcpPort();
    const server = await startPresenceProcess(children, 'standalone', 'workers-1', await freePort('tcp'), [
      ...ALLOW_EVERY_WATCHER_ARGS,
      '--workers', String(options.workers ?? 2),
      '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
      '--data-dir', dataDir,
      '--partitions', '16',
      '--log-level', 'warn',
      '--auth', options.digest ? 'digest' : 'none',
      ...SUITE_EDGE_ARGS,
      ...(options.args ?? []),
    ]);
    const users = options.digest ? createUsersFileStore({ dataDir }) : undefined;
    return {
      server,
      sipPort,
      dataDir,
      port: () => sipPort,
      addUser: users && ((aor, password) => users.putUser(suiteUser(aor, password))),
      async stop() {
        await users?.close();
        await server.stop();
        await children.killAll();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await children.killAll();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
