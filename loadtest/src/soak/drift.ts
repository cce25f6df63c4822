/**
 * Drift of a soak run's readings, pure: least-squares slopes of memory over
 * time after a warm-up, and the verdict against the run's bounds. A leak
 * shows as a slope that does not flatten; noise (GC timing, allocator
 * pages) scatters around a flat line, which the fit averages out.
 */
export interface TimedValue {
  /** Seconds since the soak started. */
  readonly atS: number;
  readonly value: number;
}

export interface LineFit {
  /** Units of `value` per second. */
  readonly slope: number;
  readonly intercept: number;
}

/** Ordinary least squares; undefined under 2 distinct times (no line). */
export function fitLine(points: readonly TimedValue[]): LineFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanT = points.reduce((s, p) => s + p.atS, 0) / n;
  const meanV = points.reduce((s, p) => s + p.value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.atS - meanT) * (p.value - meanV);
    variance += (p.atS - meanT) ** 2;
  }
  if (variance === 0) return undefined;
  const slope = covariance / variance;
  return { slope, intercept: meanV - slope * meanT };
}

const MB = 1024 * 1024;

export interface SeriesDrift {
  readonly name: string;
  /** Points after the warm-up that the fit used. */
  readonly points: number;
  readonly firstMb: number;
  readonly lastMb: number;
  /** Fitted growth per hour. */
  readonly slopeMbPerHour: number;
  /** Fitted growth over the measured span: slope × (last − first reading time). What the bound judges. */
  readonly fittedGrowthMb: number;
}

/** The drift of one byte series (RSS, heap, Redis used_memory) over the readings at or after `warmupS`. */
export function seriesDrift(name: string, bytes: readonly TimedValue[], warmupS: number): SeriesDrift | undefined {
  const measured = bytes.filter((p) => p.atS >= warmupS && Number.isFinite(p.value));
  const fit = fitLine(measured);
  if (fit === undefined) return undefined;
  const spanS = measured[measured.length - 1]!.atS - measured[0]!.atS;
  return {
    name,
    points: measured.length,
    firstMb: measured[0]!.value / MB,
    lastMb: measured[measured.length - 1]!.value / MB,
    slopeMbPerHour: (fit.slope * 3600) / MB,
    fittedGrowthMb: (fit.slope * spanS) / MB,
  };
}

export interface SoakBounds {
  /** Fitted RSS growth per process over the measured span. */
  readonly maxRssGrowthMb: number;
  /** Failed requests / requests sent. */
  readonly maxFailureFraction: number;
}

export interface SoakVerdict {
  readonly passed: boolean;
  /** Why it failed, one line per bound passed; empty when it passed. */
  readonly reasons: string[];
}

export function judgeSoak(rss: readonly SeriesDrift[], requests: number, failures: number, bounds: SoakBounds): SoakVerdict {
  const reasons: string[] = [];
  if (rss.length === 0) reasons.push('no RSS readings after the warm-up: run longer than the warm-up, or with a shorter --interval');
  for (const drift of rss) {
    if (drift.fittedGrowthMb > bounds.maxRssGrowthMb) {
      reasons.push(`${drift.name}: RSS grew ${drift.fittedGrowthMb.toFixed(1)} MB after the warm-up (${drift.slopeMbPerHour.toFixed(1)} MB/h), over --max-rss-growth-mb ${bounds.maxRssGrowthMb}`);
    }
  }
  const fraction = requests === 0 ? 0 : failures / requests;
  if (requests === 0) reasons.push('no request was sent');
  else if (fraction > bounds.maxFailureFraction) {
    reasons.push(`${failures} of ${requests} requests after the warm-up failed (${(fraction * 100).toFixed(2)} %), over --max-failure-pct ${(bounds.maxFailureFraction * 100).toFixed(2)}`);
  }
  return { passed: reasons.length === 0, reasons };
}
