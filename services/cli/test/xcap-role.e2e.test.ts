import { connectNatsBus } from '@presence/bus/nats';
import type { XcapChangeEvent } from '@presence/contracts';
import { silentLogger } from '@presence/runtime';
import { Children, freePort, metricValue, startNatsServer, startPresenceProcess, startRedisServer, type ManagedServer, type PresenceProcess } from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChange, xcapConformanceSuite, xcapValidationSuite, type XcapTarget } from '../../xcap/test/xcap-conformance.js';
import { clusterTierAvailable } from './cluster-target.js';

/** `presence xcap` as a cluster runs it: its own redis-server (RedisStore) and nats-server, changes seen on NATS. */
describe.runIf(clusterTierAvailable())('xcap role on Redis and NATS', () => {
  const children = new Children();
  const servers: ManagedServer[] = [];
  let target: XcapTarget;
  let process: PresenceProcess;

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
    const xcap = (process = await startPresenceProcess(children, 'xcap', 'xcap-1', await freePort('tcp'), [
      '--xcap-listen', `127.0.0.1:${port}`, '--nats', nats.url, '--redis', redis.url, '--auth', 'none', '--log-level', 'warn',
    ]));
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

  it('counts requests by method and status class on /metrics, never an AOR in a label', async () => {
    const text = await process.metrics();
    expect(metricValue(text, 'presence_xcap_requests_total', { method: 'PUT', class: '2xx' })).toBeGreaterThan(0);
    expect(metricValue(text, 'presence_xcap_requests_total', { method: 'GET', class: '4xx' })).toBeGreaterThan(0);
    expect(text.split('\n').filter((line) => line.startsWith('presence_xcap') && line.includes('sip:'))).toEqual([]);
  });
});
