import { LatencyHistogram, type HistogramSnapshot, type LatencySummary } from '../stats/latency-histogram.js';
import type { CodeCounts } from '../stats/phase-stats.js';
import { judgeSoak, seriesDrift, type SeriesDrift, type SoakBounds, type SoakVerdict } from './drift.js';
import { byteSeries, type SoakSample } from './soak-sampler.js';

/**
 * PUBLISH→NOTIFY latency of the first and the last window of the judged
 * part of the run (after the warm-up), each `windowIntervals` readings
 * long: the last is a bounded queue, so a run of days keeps a few
 * histograms, not one per reading.
 */
export class LatencyWindows {
  private readonly first = new LatencyHistogram();
  private firstCount = 0;
  private readonly last: HistogramSnapshot[] = [];

  constructor(
    private readonly warmupS: number,
    private readonly windowIntervals: number,
  ) {}

  add(atS: number, snapshot: HistogramSnapshot): void {
    if (atS < this.warmupS) return;
    if (this.firstCount < this.windowIntervals) {
      this.first.merge(snapshot);
      this.firstCount++;
    }
    this.last.push(snapshot);
    if (this.last.length > this.windowIntervals) this.last.shift();
  }

  summary(): { first: LatencySummary; last: LatencySummary } {
    return { first: this.first.summary(), last: LatencyHistogram.from(this.last).summary() };
  }
}

/** One table row: `rowEvery` readings folded (rates over the row's time, memory as at its last reading). */
export interface SoakRow {
  readonly atS: number;
  readonly sample: SoakSample;
  readonly requestsPerSecond: number;
  readonly notifiesPerSecond: number;
  readonly failures: number;
  readonly latency: LatencySummary;
}

export class RowAccumulator {
  private latency = new LatencyHistogram();
  private requests = 0;
  private notifies = 0;
  private failures = 0;
  private readings = 0;
  private sinceS = 0;

  constructor(private readonly rowEvery: number) {}

  /** The row this reading completes, if it does. */
  add(sample: SoakSample, snapshot: HistogramSnapshot): SoakRow | undefined {
    this.latency.merge(snapshot);
    this.requests += sample.interval.requests;
    this.notifies += sample.interval.notifies;
    this.failures += sample.interval.failures;
    if (++this.readings < this.rowEvery) return undefined;
    const spanS = Math.max(1e-3, sample.atS - this.sinceS);
    const row = { atS: sample.atS, sample, requestsPerSecond: this.requests / spanS, notifiesPerSecond: this.notifies / spanS, failures: this.failures, latency: this.latency.summary() };
    this.latency = new LatencyHistogram();
    this.requests = this.notifies = this.failures = this.readings = 0;
    this.sinceS = sample.atS;
    return row;
  }
}

export interface SoakSummary {
  readonly rss: SeriesDrift[];
  readonly heap: SeriesDrift[];
  readonly redis?: SeriesDrift;
  readonly latency: { readonly windowS: number; readonly first: LatencySummary; readonly last: LatencySummary };
  readonly requests: number;
  readonly failures: number;
  /** Requests and failures after the warm-up: what the failure bound judges (a start-up stall is not a soak finding). */
  readonly judgedRequests: number;
  readonly judgedFailures: number;
  readonly failureCodes: CodeCounts;
  readonly terminatedByServer: number;
  readonly notifies: number;
  readonly verdict: SoakVerdict;
}

export function summarize(samples: readonly SoakSample[], warmupS: number, windows: LatencyWindows, windowS: number, bounds: SoakBounds): SoakSummary {
  const drifts = (series: Map<string, { atS: number; value: number }[]>): SeriesDrift[] =>
    [...series].flatMap(([name, points]) => seriesDrift(name, points, warmupS) ?? []);
  const rss = drifts(byteSeries(samples, (p) => p.rssBytes));
  const heap = drifts(byteSeries(samples, (p) => p.heapUsedBytes));
  const redisPoints = samples.flatMap((s) => (s.redis === undefined ? [] : [{ atS: s.atS, value: s.redis.usedMemoryBytes }]));
  const redis = seriesDrift('redis', redisPoints, warmupS);
  const failureCodes: CodeCounts = {};
  let requests = 0;
  let failures = 0;
  let notifies = 0;
  let terminatedByServer = 0;
  let judgedRequests = 0;
  let judgedFailures = 0;
  for (const { atS, interval } of samples) {
    requests += interval.requests;
    failures += interval.failures;
    if (atS >= warmupS) {
      judgedRequests += interval.requests;
      judgedFailures += interval.failures;
    }
    notifies += interval.notifies;
    terminatedByServer += interval.terminatedByServer;
    for (const [code, count] of Object.entries(interval.failureCodes)) failureCodes[code] = (failureCodes[code] ?? 0) + count;
  }
  return {
    rss,
    heap,
    ...(redis === undefined ? {} : { redis }),
    latency: { windowS, ...windows.summary() },
    requests,
    failures,
    judgedRequests,
    judgedFailures,
    failureCodes,
    terminatedByServer,
    notifies,
    verdict: judgeSoak(rss, judgedRequests, judgedFailures, bounds),
  };
}
