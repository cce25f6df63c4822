import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpGet, sleep, type Child, type Children } from '@presence/testkit';
import { stringify } from 'yaml';

/** One process to scrape: its /metrics address and the target labels a ServiceMonitor would give it. */
export interface ScrapeTarget {
  /** host:port of its --http listener. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PrometheusOptions {
  readonly job: string;
  readonly targets: readonly ScrapeTarget[];
  readonly scrapeIntervalSeconds: number;
}

/** A sample of an instant query: the series' labels and its value as Prometheus prints it ("0.5", "NaN", ...). */
export interface InstantSample {
  readonly metric: Record<string, string>;
  readonly value: string;
}

export interface PrometheusServer {
  readonly url: string;
  /** GET /api/v1/query; throws on a query Prometheus refuses. */
  query(expr: string): Promise<InstantSample[]>;
  /** GET /api/v1/label/<label>/values for the series `match` selects: what Grafana's label_values() asks. */
  labelValues(label: string, match: string): Promise<string[]>;
  /** Names of every metric scraped so far. */
  metricNames(): Promise<string[]>;
  /** SIGTERM, SIGKILL after the grace time; removes the storage directory. */
  stop(): Promise<void>;
}

const PORT_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/**
 * Runs `prometheus` (Debian package prometheus) on a free local port with a
 * generated configuration scraping `targets`, storage in a fresh temporary
 * directory; resolves once /-/ready answers. `children` owns the process:
 * its killAll() ends it if the test does not get to stop().
 */
export async function startPrometheus(children: Children, options: PrometheusOptions): Promise<PrometheusServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'presence-prometheus-'));
    const port = await freePort('tcp');
    const child = spawnPrometheus(children, dir, port, options);
    try {
      await untilReady(child, port);
      return server(child, dir, port);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      if (!/address already in use/i.test(child.stderr())) break;
    }
  }
  throw lastError;
}

function spawnPrometheus(children: Children, dir: string, port: number, options: PrometheusOptions): Child {
  const interval = `${options.scrapeIntervalSeconds}s`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: options.job,
        static_configs: options.targets.map((target) => ({ targets: [target.address], labels: { ...target.labels } })),
      },
    ],
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  return children.spawn('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
}

async function untilReady(child: Child, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exited()) throw new Error(`prometheus exited at start:\n${child.stderr().slice(-3000)}`);
    const ready = await httpGet(`http://127.0.0.1:${port}/-/ready`, 500).then((r) => r.status === 200, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`prometheus not ready within ${READY_TIMEOUT_MS} ms:\n${child.stderr().slice(-3000)}`);
    await sleep(100);
  }
}

async function stopChild(child: Child): Promise<void> {
  if (child.exited()) return;
  child.process.kill('SIGTERM');
  try {
    await child.exit(STOP_GRACE_MS);
  } catch {
    child.process.kill('SIGKILL');
    await child.exit(STOP_GRACE_MS);
  }
}

function server(child: Child, dir: string, port: number): PrometheusServer {
  const url = `http://127.0.0.1:${port}`;
  async function api<T>(path: string, params: Record<string, string>): Promise<T> {
    const response = await httpGet(`${url}${path}?${new URLSearchParams(params).toString()}`, 10_000);
    const body = JSON.parse(response.body) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? response.body}`);
    return body.data;
  }
  return {
    url,
    async query(expr) {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>('/api/v1/query', { query: expr });
      if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not an instant vector`);
      return data.result.map((r) => ({ metric: r.metric, value: r.value[1] }));
    },
    labelValues: (label, match) => api<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match }),
    metricNames: () => api<string[]>('/api/v1/label/__name__/values', {}),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
