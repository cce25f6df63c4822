/**
 * What k6 keeps of each metric for the end-of-test summary and thresholds
 * (k6's sinks): Counter → count and rate per second, Gauge → last value,
 * min and max, Rate → share of non-zero samples, Trend → every value for
 * avg, min, med, max and percentiles.
 */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  /** `time` for a Trend created with isTime = true (values in ms), else `default`. */
  readonly contains: 'time' | 'default';
}

export const DEFAULT_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

export class MetricSink {
  private count = 0;
  private sum = 0;
  private nonZero = 0;
  private last = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly values: number[] = [];
  private sorted = true;

  constructor(readonly definition: MetricDefinition) {}

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value !== 0) this.nonZero++;
    this.last = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.definition.type === 'trend') {
      if (this.values.length > 0 && value < this.values[this.values.length - 1]!) this.sorted = false;
      this.values.push(value);
    }
  }

  get samples(): number {
    return this.count;
  }

  /** The aggregate a threshold or the summary names (`count`, `rate`, `p(95)`, …); undefined if it does not apply to this type. */
  aggregate(name: string, testDurationMs: number): number | undefined {
    switch (this.definition.type) {
      case 'counter':
        if (name === 'count') return this.sum;
        if (name === 'rate') return testDurationMs > 0 ? this.sum / (testDurationMs / 1000) : 0;
        return undefined;
      case 'gauge':
        if (name === 'value') return this.last;
        if (name === 'min') return this.count === 0 ? 0 : this.min;
        if (name === 'max') return this.count === 0 ? 0 : this.max;
        return undefined;
      case 'rate':
        if (name === 'rate') return this.count === 0 ? 0 : this.nonZero / this.count;
        if (name === 'passes') return this.nonZero;
        if (name === 'fails') return this.count - this.nonZero;
        return undefined;
      case 'trend':
        return this.trendAggregate(name);
    }
  }

  /** The values k6's summary shows for this type; for trends, options.summaryTrendStats (k6's default otherwise). */
  summaryValues(testDurationMs: number, trendStats: readonly string[] = DEFAULT_TREND_STATS): Record<string, number> {
    const names: Record<MetricType, readonly string[]> = {
      counter: ['count', 'rate'],
      gauge: ['value', 'min', 'max'],
      rate: ['rate', 'passes', 'fails'],
      trend: trendStats,
    };
    return Object.fromEntries(names[this.definition.type].map((n) => [n, this.aggregate(n, testDurationMs) ?? 0]));
  }

  private trendAggregate(name: string): number | undefined {
    if (name === 'count') return this.count;
    if (name === 'avg') return this.count === 0 ? 0 : this.sum / this.count;
    if (name === 'min') return this.count === 0 ? 0 : this.min;
    if (name === 'max') return this.count === 0 ? 0 : this.max;
    if (name === 'med') return this.percentile(50);
    const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(name);
    return p ? this.percentile(Number(p[1])) : undefined;
  }

  /** Linear interpolation between closest ranks, as k6 computes trend percentiles. */
  private percentile(p: number): number {
    if (this.values.length === 0) return 0;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = (p / 100) * (this.values.length - 1);
    const lower = Math.floor(rank);
    const upper = Math.min(lower + 1, this.values.length - 1);
    return this.values[lower]! + (this.values[upper]! - this.values[lower]!) * (rank - lower);
  }
}
