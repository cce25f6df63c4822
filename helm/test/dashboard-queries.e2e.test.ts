import { binaryGate, Children, eventually, requireOrSkip, sleep, startLocalCluster, type LocalCluster } from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpolate, labelValuesQuery, loadDashboards, metricNames, queriesOf, TEST_INTERVALS, type DashboardModel } from './dashboard-kit.js';
import { startTraffic, type Traffic } from './dashboard-traffic.js';
import { startPrometheus, type PrometheusServer, type ScrapeTarget } from './prometheus-server.js';

/**
 * Panel queries (`uid / panel title / refId`) that cannot have data in this
 * setup, each with the reason. A listed query that has data fails the test,
 * so the list cannot outlive its reason.
 */
const NO_DATA_HERE: Readonly<Record<string, string>> = {};

const JOB = 'presence-metrics';
const SCRAPE_INTERVAL_SECONDS = 1;
/** The edges' --min-expires, and the life of the subscription and publication left to lapse. */
const SHORT_EXPIRES = 2;
/** Prometheus needs a few scrapes of the load before rate() windows fill; a busy machine needs more. */
const DATA_DEADLINE_MS = 90_000;

const tiersThere =
  requireOrSkip(binaryGate('prometheus', 'apt-get install prometheus'), 'dashboard queries') &&
  requireOrSkip(binaryGate('nats-server', 'apt-get install nats-server'), 'dashboard queries') &&
  requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'dashboard queries');

/** Every process of the cluster, labelled as the chart's ServiceMonitor labels its pods' series (job = the metrics Service, role). */
function scrapeTargets(cluster: LocalCluster): ScrapeTarget[] {
  const target = (httpUrl: string, role: string) => ({ address: new URL(httpUrl).host, labels: { role } });
  return [...cluster.edges.map((e) => target(e.process.httpUrl, 'edge')), ...cluster.agents.map((a) => target(a.httpUrl, 'agent'))];
}

/** A series with a number: NaN (e.g. a quantile over no observations) is no data. */
const hasData = (samples: readonly { value: string }[]) => samples.some((s) => Number.isFinite(Number(s.value)));

describe.runIf(tiersThere)('Grafana dashboards against a local cluster scraped by a real Prometheus', () => {
  const children = new Children();
  const dashboards = loadDashboards().map((d) => d.model);
  let cluster: LocalCluster | undefined;
  let prometheus: PrometheusServer | undefined;
  let traffic: Traffic | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster({ edges: 2, agents: 2, partitions: 16, edgeArgs: ['--min-expires', String(SHORT_EXPIRES)], agentArgs: ['--lease-time', '3'] });
    prometheus = await startPrometheus(children, { job: JOB, targets: scrapeTargets(cluster), scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS });
    traffic = await startTraffic(cluster.edges, { shortExpires: SHORT_EXPIRES, publishEveryMs: 100 });
  }, 60_000);

  afterAll(async () => {
    await traffic?.stop();
    await prometheus?.stop();
    await cluster?.stop();
    await children.killAll();
  }, 60_000);

  /**
   * What Grafana would put for each variable: the All value (allValue) where
   * it has one, else the first value found; throws when a variable finds none.
   */
  async function variableValues(dashboard: DashboardModel): Promise<Record<string, string>> {
    const values: Record<string, string> = { ...TEST_INTERVALS };
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = labelValuesQuery(variable)!;
      const found = await prometheus!.labelValues(query.label, interpolate(query.match, values));
      if (found.length === 0) throw new Error(`${dashboard.uid}: $${variable.name} finds no values (${query.match})`);
      values[variable.name] = variable.includeAll ? variable.allValue! : found.sort()[0]!;
    }
    return values;
  }

  /** Every panel query of every dashboard, interpolated, that has no data now (or that Prometheus refuses), with why. */
  async function queriesWithoutData(): Promise<{ failed: string[]; queried: string[] }> {
    const failed: string[] = [];
    const queried: string[] = [];
    for (const dashboard of dashboards) {
      const values = await variableValues(dashboard).catch((error: Error) => error);
      if (values instanceof Error) {
        failed.push(values.message);
        continue;
      }
      await Promise.all(
        queriesOf(dashboard).map(async (query) => {
          const promql = interpolate(query.expr, values);
          queried.push(query.key);
          const outcome = await prometheus!.query(promql).then((samples) => (hasData(samples) ? 'data' : 'no data'), (error: Error) => `refused: ${error.message}`);
          if (outcome === 'data' || (outcome === 'no data' && query.key in NO_DATA_HERE)) return;
          failed.push(`${query.key} (${outcome}): ${promql}`);
        }),
      );
    }
    return { failed, queried };
  }

  it('every process is scraped, with the job and role labels the dashboards filter by', async () => {
    await eventually(async () => {
      const up = await prometheus!.query(`up{job="${JOB}"}`);
      expect(up.map((s) => `${s.metric.role} ${s.value}`).sort()).toEqual(['agent 1', 'agent 1', 'edge 1', 'edge 1']);
    }, { timeoutMs: 20_000, intervalMs: 500 });
  });

  it('every dashboard variable finds values, and the job variable finds this job', async () => {
    await eventually(async () => {
      for (const dashboard of dashboards) expect((await variableValues(dashboard)).job).toBe(JOB);
    }, { timeoutMs: 20_000, intervalMs: 500 });
  });

  it('every metric a panel names is one the processes export', async () => {
    const named = [...new Set(dashboards.flatMap((d) => queriesOf(d).flatMap((q) => metricNames(q.expr))))].sort();
    await eventually(async () => {
      const scraped = new Set(await prometheus!.metricNames());
      expect(named.filter((name) => !scraped.has(name))).toEqual([]);
    }, { timeoutMs: 20_000, intervalMs: 500 });
  });

  it('every panel query returns data', async () => {
    // Polled until all have data or the deadline passes; then the last round's list is the verdict.
    const deadline = Date.now() + DATA_DEADLINE_MS;
    let round = await queriesWithoutData();
    while (round.failed.length > 0 && Date.now() < deadline) {
      await sleep(1000);
      round = await queriesWithoutData();
    }
    expect(round.failed, 'panel queries without data').toEqual([]);
    expect(round.queried.length, 'queries of all four dashboards').toBeGreaterThan(50);
    const queries = await Promise.all(dashboards.map(async (d) => ({ values: await variableValues(d), queries: queriesOf(d) })));
    for (const key of Object.keys(NO_DATA_HERE)) {
      const listed = queries.flatMap(({ values, queries }) => queries.filter((q) => q.key === key).map((q) => interpolate(q.expr, values)));
      expect(listed, `${key} is a panel query`).toHaveLength(1);
      expect(hasData(await prometheus!.query(listed[0]!)), `${key} has data now: take it off NO_DATA_HERE`).toBe(false);
    }
    expect(traffic!.rounds).toBeGreaterThan(0);
    expect(traffic!.failures).toEqual([]);
  }, DATA_DEADLINE_MS + 30_000);
});
