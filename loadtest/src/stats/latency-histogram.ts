/**
 * A mergeable latency histogram with fixed logarithmic buckets (like HDR
 * histograms, ~2% relative precision), so every worker can record millions of
 * samples in constant memory and the parent can add them up exactly.
 * Values are recorded in microseconds; percentiles are reported in ms.
 */

/** Bucket i (i ≥ 1) holds values in [GROWTH^(i-1), GROWTH^i) µs; bucket 0 holds values below 1 µs. */
const GROWTH = 1.02;
const LN_GROWTH = Math.log(GROWTH);
/** GROWTH^1000 µs ≈ 400 s: anything slower lands in the last bucket (max stays exact). */
export const HISTOGRAM_BUCKETS = 1000;

/** What crosses process boundaries: only the non-empty buckets. */
export interface HistogramSnapshot {
  readonly count: number;
  readonly sumUs: number;
  readonly minUs: number;
  readonly maxUs: number;
  /** [bucket index, count] pairs. */
  readonly buckets: ReadonlyArray<readonly [number, number]>;
}

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export function bucketOf(valueUs: number): number {
  if (!(valueUs >= 1)) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, 1 + Math.floor(Math.log(valueUs) / LN_GROWTH));
}

/** A representative value of a bucket: the geometric middle of its bounds. */
function bucketValueUs(index: number): number {
  return index === 0 ? 0.5 : GROWTH ** (index - 0.5);
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(HISTOGRAM_BUCKETS);
  private total = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  get count(): number {
    return this.total;
  }

  /** Negative values (clock steps between processes) count as 0. */
  recordMs(valueMs: number): void {
    const us = valueMs > 0 ? valueMs * 1000 : 0;
    this.counts[bucketOf(us)]! += 1;
    this.total++;
    this.sum += us;
    if (us < this.min) this.min = us;
    if (us > this.max) this.max = us;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  merge(snapshot: HistogramSnapshot): void {
    for (const [index, count] of snapshot.buckets) this.counts[index]! += count;
    this.total += snapshot.count;
    this.sum += snapshot.sumUs;
    if (snapshot.count > 0) {
      this.min = Math.min(this.min, snapshot.minUs);
      this.max = Math.max(this.max, snapshot.maxUs);
    }
  }

  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { count: this.total, sumUs: this.sum, minUs: this.total > 0 ? this.min : 0, maxUs: this.max, buckets };
  }

  /** The value at percentile p (0–100) in ms, clamped to the exact min and max; 0 when empty. */
  percentileMs(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketValueUs(i))) / 1000;
    }
    return this.max / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      meanMs: this.total === 0 ? 0 : this.sum / this.total / 1000,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.max / 1000,
    };
  }

  static from(snapshots: Iterable<HistogramSnapshot>): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const snapshot of snapshots) histogram.merge(snapshot);
    return histogram;
  }
}
