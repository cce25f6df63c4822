import { connectNatsBus } from '@presence/bus/nats';
import type { XcapChangeEvent } from '@presence/contracts';
import { silentLogger } from '@presence/runtime';
import { Children, freePort, startNatsServer, startPresenceProcess, startRedisServer, type ManagedServer } from '@presence/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { decodeChange, xcapConformanceSuite, xcapValidationSuite, type XcapTarget } from '../../xcap/test/xcap-conformance.js';
import { clusterTierAvailable } from './cluster-target.js';

/** `presence xcap` as a cluster runs it: its own redis-server (RedisStore) and nats-server, changes seen on NATS. */
describe.runIf(clusterTierAvailable())('xcap role on Redis and NATS', () => {
  const children = new Children();
  const servers: ManagedServer[] = [];
  let target: XcapTarget;

  beforeAll(async () => {
    const nats = await startNatsServer();
    servers.push(nats);
    const redis = await startRedisServer();
    servers.push(redis);
    const changes: XcapChangeEvent[] = [];
    const bus = await connectNatsBus({ servers: [nats.url], name: 'xcap-watcher', logger: silentLogger });
    bus.subscribe('xcap.>', (message) => {
      changes.push(decodeChange(message.data));
    });
    const port = await freePort('tcp');
    const xcap = await startPresenceProcess(children, 'xcap', 'xcap-1', await freePort('tcp'), [
      '--xcap-listen', `127.0.0.1:${port}`, '--nats', nats.url, '--redis', redis.url, '--auth', 'none', '--log-level', 'warn',
    ]);
    target = {
      baseUrl: `http://127.0.0.1:${port}`,
      changes,
      async stop() {
        await xcap.stop();
        await bus.close();
      },
    };
  }, 60_000);
  afterAll(async () => {
    await target?.stop();
    await children.killAll();
    await Promise.allSettled(servers.map((server) => server.stop()));
  });

  xcapConformanceSuite(() => target);
  xcapValidationSuite(() => target);
});
