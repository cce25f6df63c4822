import { metricValue, rawTcp, rawUdp, requestText, startLine, startLocalCluster, type LocalCluster } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTierAvailable, SUITE_EDGE_ARGS } from './cluster-target.js';

/**
 * A cluster edge process (NATS and Redis behind it) applies the per-source
 * rate limit as standalone does (services/standalone/test/rate-limit.e2e.test.ts
 * covers the rest). The local cluster turns the limit off for its edges; the
 * edgeArgs here come last and turn it on again.
 */
describe.runIf(clusterTierAvailable())('cluster edge rate limit', () => {
  let cluster: LocalCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('rate limit - past its burst a source gets 503 with Retry-After over UDP and TCP, counted on the edge; another source is served', async () => {
    cluster = await startLocalCluster({ edges: 1, agents: 1, edgeArgs: [...SUITE_EDGE_ARGS, '--rate-limit', '0.01', '--rate-limit-burst', '2'] });
    const edge = cluster.edges[0]!;
    const udp = await rawUdp('127.0.0.1');
    const other = await rawUdp('127.0.0.2');
    const tcp = await rawTcp(edge.sipPort);
    try {
      const options = (peer: { port: number }, callId: string, transport = 'UDP') =>
        requestText({ transport, sentBy: `127.0.0.1:${peer.port}`, branch: `z9hG4bK${callId}`, callId });
      for (const callId of ['a', 'b']) {
        udp.send(options(udp, callId), edge.sipPort);
        expect(startLine(await udp.next(5000))).toBe('SIP/2.0 200 OK');
      }
      udp.send(options(udp, 'c'), edge.sipPort);
      const refused = await udp.next(5000);
      expect(startLine(refused)).toBe('SIP/2.0 503 Rate Limit Exceeded');
      expect(refused).toMatch(/\r\nRetry-After: 100\r\n/);
      tcp.send(options(tcp, 'd', 'TCP'));
      expect(startLine(await tcp.next(5000))).toBe('SIP/2.0 503 Rate Limit Exceeded');

      other.send(options(other, 'e'), edge.sipPort);
      expect(startLine(await other.next(5000))).toBe('SIP/2.0 200 OK');
      const metrics = await edge.process.metrics();
      expect(metricValue(metrics, 'presence_rate_limited_total', { transport: 'udp', action: 'reject' })).toBe(1);
      expect(metricValue(metrics, 'presence_rate_limited_total', { transport: 'tcp', action: 'reject' })).toBe(1);
      expect(metricValue(metrics, 'presence_rate_limit_sources')).toBe(2);
    } finally {
      await Promise.all([udp.close(), other.close(), tcp.close()]);
    }
  });
});
