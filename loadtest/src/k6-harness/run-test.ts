import { resolve } from 'node:path';
import { runScenario } from './executors.js';
import { type CheckCount, MetricRegistry } from './metric-registry.js';
import { DEFAULT_TREND_STATS } from './metric-sink.js';
import type { FromVu } from './protocol.js';
import { readScenarios, type Scenario } from './scenarios.js';
import { evaluateThreshold, readThresholds } from './thresholds.js';
import { VuHandle } from './vu-handle.js';

export interface RunSettings {
  readonly scriptPath: string;
  /** `-e NAME=value`: the script's __ENV. */
  readonly env: Readonly<Record<string, string>>;
  /** Where console output and iteration errors go (k6 logs them to stderr). */
  readonly log: (line: string) => void;
}

export interface MetricSummary {
  readonly type: string;
  readonly contains: string;
  readonly values: Record<string, number>;
  /** Threshold expression → whether it held. */
  readonly thresholds?: Record<string, { ok: boolean }>;
}

/** Shaped like the data k6 passes to handleSummary, plus what this harness adds (iteration errors). */
export interface RunSummary {
  readonly metrics: Record<string, MetricSummary>;
  readonly root_group: { readonly checks: readonly CheckCount[] };
  readonly state: { readonly testRunDurationMs: number };
  /** Error message → how many iterations ended with it (k6 logs each one). */
  readonly iterationErrors: Record<string, number>;
  readonly thresholdsFailed: boolean;
  readonly aborted: string | undefined;
  /** k6's exit code: 0, 99 thresholds failed, 104 invalid options, 107 script error, 108 aborted by the script. */
  readonly exitCode: number;
}

export class K6RunError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Runs a k6 script as `k6 run` does: init, setup, scenarios, teardown, thresholds. */
export async function runK6Script(settings: RunSettings): Promise<RunSummary> {
  const scriptPath = resolve(settings.scriptPath);
  const registry = new MetricRegistry();
  const iterationErrors: Record<string, number> = {};
  let aborted: string | undefined;
  const vus: VuHandle[] = [];
  const onMessage = (message: FromVu): void => {
    if (message.kind === 'samples') for (const sample of message.samples) registry.add(sample);
    else if (message.kind === 'metric') registry.define(message.name, message.type, message.isTime);
    else if (message.kind === 'log') settings.log(`${message.level}: ${message.text}`);
    else if (message.kind === 'abort') {
      aborted ??= message.reason;
      for (const vu of vus) vu.interrupt();
    }
  };
  const spawn = (id: number): VuHandle => {
    const vu = new VuHandle(id, { scriptPath, env: settings.env, vuId: id }, onMessage);
    vus.push(vu);
    return vu;
  };
  try {
    const setupVu = spawn(0);
    const init = await setupVu.ready.catch((error: Error) => Promise.reject(new K6RunError(error.message, 107)));
    const options = init.options === undefined ? {} : (JSON.parse(init.options) as Record<string, unknown>);
    let scenarios: Scenario[];
    let thresholds: ReturnType<typeof readThresholds>;
    try {
      scenarios = readScenarios(options);
      for (const s of scenarios) if (!init.exports.includes(s.exec)) throw new Error(`scenario ${s.name}: the script exports no function "${s.exec}"`);
      thresholds = readThresholds(options['thresholds'], registry.types());
    } catch (error) {
      throw new K6RunError((error as Error).message, 104);
    }
    let nextId = 1;
    const allocation = scenarios.map((scenario) => ({ scenario, vus: Array.from({ length: scenario.vus }, () => spawn(nextId++)) }));
    await Promise.all(vus.map((vu) => vu.ready)).catch((error: Error) => Promise.reject(new K6RunError(error.message, 107)));

    const setup = await setupVu.setup();
    if (setup.error !== undefined) throw new K6RunError(`setup() failed: ${setup.error}`, 107);
    const started = Date.now();
    const hooks = {
      data: setup.data,
      aborted: () => aborted !== undefined,
      onIteration: (vu: VuHandle, outcome: { error: string | undefined }) => {
        if (outcome.error === undefined) return;
        const key = firstLine(outcome.error);
        iterationErrors[key] = (iterationErrors[key] ?? 0) + 1;
        settings.log(`error: VU ${vu.id}: iteration failed: ${outcome.error}`);
      },
    };
    await Promise.all(
      allocation.map(async ({ scenario, vus: scenarioVus }) => {
        await delay(scenario.startTimeMs, () => aborted !== undefined);
        if (aborted === undefined) await runScenario(scenario, scenarioVus, hooks);
      }),
    );
    const testRunDurationMs = Date.now() - started;
    if (aborted === undefined) {
      const teardownError = await setupVu.teardown(setup.data);
      if (teardownError !== undefined) throw new K6RunError(`teardown() failed: ${teardownError}`, 107);
    }
    await Promise.all(vus.map((vu) => vu.terminate()));
    const trendStats = readTrendStats(options['summaryTrendStats']);
    return summarize(registry, thresholds, trendStats, testRunDurationMs, iterationErrors, aborted);
  } finally {
    await Promise.all(vus.map((vu) => vu.terminate().catch(() => 0)));
  }
}

function summarize(
  registry: MetricRegistry,
  thresholds: ReturnType<typeof readThresholds>,
  trendStats: readonly string[],
  testRunDurationMs: number,
  iterationErrors: Record<string, number>,
  aborted: string | undefined,
): RunSummary {
  const metrics: Record<string, MetricSummary> = {};
  let thresholdsFailed = false;
  for (const [name, sink] of registry.sinks) {
    const own = thresholds.get(name);
    // As k6's summary: metrics that got no sample are left out, unless a threshold names them.
    if (sink.samples === 0 && own === undefined) continue;
    const results = own?.map((t) => [t.source, { ok: evaluateThreshold(t, sink, testRunDurationMs) }] as const);
    if (results?.some(([, r]) => !r.ok)) thresholdsFailed = true;
    metrics[name] = {
      type: sink.definition.type,
      contains: sink.definition.contains,
      values: sink.summaryValues(testRunDurationMs, trendStats),
      ...(results === undefined ? {} : { thresholds: Object.fromEntries(results) }),
    };
  }
  const exitCode = aborted !== undefined ? 108 : thresholdsFailed ? 99 : 0;
  return { metrics, root_group: { checks: [...registry.checks.values()] }, state: { testRunDurationMs }, iterationErrors, thresholdsFailed, aborted, exitCode };
}

/** options.summaryTrendStats: which trend values the summary shows (`count` included, as k6 allows). */
function readTrendStats(value: unknown): readonly string[] {
  if (value === undefined) return DEFAULT_TREND_STATS;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(v))) {
    throw new K6RunError(`invalid summaryTrendStats ${JSON.stringify(value)}`, 104);
  }
  return value as string[];
}

/** Waits `ms`, or less if `cancelled` becomes true (checked every 100 ms). */
async function delay(ms: number, cancelled: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !cancelled()) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
