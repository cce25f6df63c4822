import { readFile } from 'node:fs/promises';
import {
  ALLOW_EVERY_WATCHER_ARGS,
  binaryGate,
  Children,
  createTestUa,
  eventually,
  freePort,
  freeUdpTcpPort,
  metricSamples,
  metricValue,
  nonZeroSamples,
  promtoolCheckMetrics,
  requireOrSkip,
  startLocalCluster,
  startPresenceProcess,
  type LocalCluster,
  type PresenceProcess,
  type TestUa,
} from '@presence/testkit';
import { DOMAIN, pidf, publish } from '@presence/testkit/behaviour';
import type { TransportName } from '@presence/sip';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';

const promtoolAvailable = requireOrSkip(binaryGate('promtool', 'apt-get install prometheus'), 'metrics tier');
const ROOT_PACKAGE = new URL('../../../package.json', import.meta.url);
let unique = 0;
const aor = (name: string): string => `sip:${name}-${process.pid}-${++unique}@${DOMAIN}`;

/** /metrics of `process`, which promtool must accept as it is. */
async function scrape(process: PresenceProcess): Promise<string> {
  const text = await process.metrics();
  const verdict = await promtoolCheckMetrics(text);
  expect(verdict.output, `promtool check metrics on ${process.id}`).toBe('');
  expect(verdict.ok).toBe(true);
  return text;
}

const value = async (process: PresenceProcess, name: string, labels: Record<string, string> = {}): Promise<number> => metricValue(await process.metrics(), name, labels);

/** What every role exports, whatever it does: build info, the standard process metrics, error counters at 0. */
async function expectCommonSeries(text: string, id: string): Promise<void> {
  const { version } = JSON.parse(await readFile(ROOT_PACKAGE, 'utf8')) as { version: string };
  const [build] = metricSamples(text, 'presence_build_info');
  expect(build, `${id}: build info`).toMatch(new RegExp(`^presence_build_info\\{version="${version.replaceAll('.', '\\.')}",commit="[^"]+"\\} 1$`));
  expect(metricSamples(text, 'process_cpu_seconds_total'), `${id}: process metrics unprefixed`).toHaveLength(1);
  expect(metricSamples(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
  expect(text).not.toMatch(/^presence_(process|nodejs)_/m);
  for (const errors of ['presence_internal_errors_total', 'presence_store_errors_total', 'presence_bus_errors_total', 'presence_sip_handler_errors_total']) {
    expect(metricSamples(text, errors).length, `${id}: ${errors} exists from the start`).toBeGreaterThan(0);
    expect(nonZeroSamples(text, errors), `${id}: ${errors}`).toEqual([]);
  }
  expect(metricValue(text, 'presence_store_errors_total', { operation: 'commitPresentity' })).toBe(0);
  expect(metricSamples(text, 'presence_store_errors_total')).toContain('presence_store_errors_total{operation="commitPresentity"} 0');
}

describe.runIf(promtoolAvailable)('metrics of the real processes', () => {
  const children = new Children();
  const uas: TestUa[] = [];
  let cluster: LocalCluster | undefined;

  afterEach(async () => {
    await Promise.allSettled(uas.splice(0).map((ua) => ua.close()));
    await cluster?.stop();
    cluster = undefined;
    await children.killAll();
  });

  async function ua(port: number, name: string, transport: TransportName): Promise<TestUa> {
    const agent = await createTestUa({ transport, server: { host: '127.0.0.1', port }, aor: aor(name) });
    uas.push(agent);
    return agent;
  }

  /**
   * A TCP phone registers and watches a presentity an UDP phone publishes; the
   * watcher leaves the NOTIFY for the change unanswered, so it stays in flight.
   */
  async function drive(edge: PresenceProcess, sipPort: number): Promise<{ watcher: TestUa; presentity: string }> {
    const watcher = await ua(sipPort, 'watcher', 'tcp');
    const publisher = await ua(sipPort, 'publisher', 'udp');
    const presentity = aor('presentity');
    expect((await watcher.request('REGISTER', { expires: 600 })).status).toBe(200);
    const { response, dialog } = await watcher.subscribe(presentity, { expires: 600 });
    expect(response.status).toBe(200);
    await dialog.nextNotify();
    // The initial NOTIFY was answered: nothing is in flight once the edge has seen the 200.
    await eventually(async () => expect(await value(edge, 'presence_notifies_in_flight')).toBe(0));
    watcher.answerNotifiesWith(null);
    expect((await publish(publisher, presentity, { body: pidf(presentity, [{ id: 't', basic: 'open' }]), expires: 600 })).status).toBe(200);
    await dialog.nextNotify();
    return { watcher, presentity };
  }

  /** The edge's view of the driven traffic: one TCP connection, one active dialog, one binding, one NOTIFY unanswered. */
  async function expectEdgeSeries(edge: PresenceProcess, watcher: TestUa): Promise<void> {
    await eventually(async () => expect(await value(edge, 'presence_notifies_in_flight')).toBe(1));
    const text = await scrape(edge);
    await expectCommonSeries(text, edge.id);
    expect(metricValue(text, 'presence_connections', { transport: 'tcp' })).toBe(1);
    expect(metricSamples(text, 'presence_connections')).toContain('presence_connections{transport="ws"} 0');
    expect(metricSamples(text, 'presence_connections').some((line) => line.includes('udp'))).toBe(false);
    expect(metricValue(text, 'presence_subscriptions', { state: 'active' })).toBe(1);
    expect(metricSamples(text, 'presence_subscriptions')).toContain('presence_subscriptions{state="pending"} 0');
    expect(metricValue(text, 'presence_registered_contacts')).toBe(1);
    expect(metricValue(text, 'presence_sip_transactions', { kind: 'client' })).toBeGreaterThanOrEqual(1);
    expect(metricSamples(text, 'presence_sip_transactions')).toHaveLength(2);
    expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'replaceBindings' })).toBe(1);
    expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'saveDialog' })).toBeGreaterThanOrEqual(1);

    // The watcher goes away: its connection closes, the NOTIFY fails with it and the subscription ends.
    await watcher.close();
    await eventually(async () => {
      const after = await edge.metrics();
      expect(metricValue(after, 'presence_connections', { transport: 'tcp' })).toBe(0);
      expect(metricValue(after, 'presence_notifies_in_flight')).toBe(0);
      expect(metricValue(after, 'presence_subscriptions', { state: 'active' })).toBe(0);
    });
  }

  it('standalone - promtool accepts /metrics; the operations series are there with the values the traffic gives', async () => {
    const sipPort = await freeUdpTcpPort();
    const wsPort = await freePort('tcp');
    const standalone = await startPresenceProcess(children, 'standalone', 'metrics-standalone', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
      '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort},ws:127.0.0.1:${wsPort}`,
      '--partitions', '16',
      '--log-level', 'warn',
      '--auth', 'none',
    ]);
    const { watcher } = await drive(standalone, sipPort);

    const text = await scrape(standalone);
    expect(metricValue(text, 'presence_partitions_unowned')).toBe(0);
    expect(metricValue(text, 'presence_owned_partitions')).toBe(16);
    expect(metricValue(text, 'presence_lease_changes_total', { change: 'gained' })).toBe(16);
    expect(metricSamples(text, 'presence_lease_changes_total')).toContain('presence_lease_changes_total{change="lost"} 0');
    expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'commitPresentity' })).toBe(1);
    expect(metricSamples(text, 'presence_published_presentities')).toHaveLength(1);
    await expectEdgeSeries(standalone, watcher);
  });

  describe.runIf(clusterTierAvailable())('cluster', () => {
    it('cluster - promtool accepts the edge\'s and the agent\'s /metrics; each has its series with the values the traffic gives', async () => {
      cluster = await startLocalCluster({ edges: 1, agents: 1, partitions: 16, agentArgs: ['--lease-time', '3'] });
      const [edge, agent] = [cluster.edges[0]!, cluster.agents[0]!];
      const { watcher } = await drive(edge.process, edge.sipPort);

      // The agent's census runs every lease time: it sees the one presentity published and no partition without owner.
      await eventually(async () => expect(await value(agent, 'presence_published_presentities')).toBe(1), { timeoutMs: 10_000, intervalMs: 200 });
      const text = await scrape(agent);
      await expectCommonSeries(text, agent.id);
      expect(metricValue(text, 'presence_partitions_unowned')).toBe(0);
      expect(metricValue(text, 'presence_owned_partitions')).toBe(16);
      expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'commitPresentity' })).toBe(1);
      expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'leaseHolders' })).toBeGreaterThanOrEqual(1);
      expect(metricSamples(text, 'presence_connections')).toEqual([]);

      expect(metricValue(await scrape(edge.process), 'presence_bus_request_seconds_count', { outcome: 'ok' })).toBeGreaterThanOrEqual(2);
      await expectEdgeSeries(edge.process, watcher);
    });
  });
});
