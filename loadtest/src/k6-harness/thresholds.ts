import type { MetricSink, MetricType } from './metric-sink.js';

/** One k6 threshold expression, e.g. `p(95)<500` or `rate<0.01`. */
export interface Threshold {
  readonly source: string;
  readonly aggregation: string;
  readonly operator: '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
  readonly value: number;
}

export interface ThresholdResult {
  readonly metric: string;
  readonly source: string;
  readonly ok: boolean;
  readonly actual: number;
}

const AGGREGATIONS: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  gauge: /^value$/,
  rate: /^rate$/,
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
};

/** Parses `AGGREGATION OPERATOR NUMBER`; throws with the k6 config error's wording when it is not one. */
export function parseThreshold(source: string): Threshold {
  const m = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(source);
  if (!m) throw new Error(`invalid threshold "${source}": expected AGGREGATION OPERATOR NUMBER, e.g. p(95)<500`);
  return { source, aggregation: m[1]!, operator: m[2] as Threshold['operator'], value: Number(m[3]) };
}

/**
 * Reads `options.thresholds` (name → strings or { threshold } objects) and
 * checks each against the metric it names. Submetrics (`name{tag:value}`) and
 * abortOnFail are refused rather than ignored, so a script that needs them
 * fails here instead of passing without them.
 */
export function readThresholds(thresholds: unknown, types: ReadonlyMap<string, MetricType>): Map<string, Threshold[]> {
  const result = new Map<string, Threshold[]>();
  if (thresholds === undefined) return result;
  if (typeof thresholds !== 'object' || thresholds === null) throw new Error('options.thresholds must be an object');
  for (const [metric, list] of Object.entries(thresholds)) {
    if (metric.includes('{')) throw new Error(`threshold on submetric ${metric}: not provided by this harness`);
    const type = types.get(metric);
    if (type === undefined) throw new Error(`invalid threshold defined on ${metric}: no metric named ${metric} found`);
    const parsed = (Array.isArray(list) ? list : [list]).map((entry: unknown) => {
      if (typeof entry === 'string') return parseThreshold(entry);
      if (typeof entry === 'object' && entry !== null && 'threshold' in entry) {
        if ((entry as { abortOnFail?: unknown }).abortOnFail === true) throw new Error(`threshold ${metric}: abortOnFail is not provided by this harness`);
        return parseThreshold(String((entry as { threshold: unknown }).threshold));
      }
      throw new Error(`invalid threshold on ${metric}: ${JSON.stringify(entry)}`);
    });
    for (const t of parsed) {
      if (!AGGREGATIONS[type].test(t.aggregation)) throw new Error(`threshold "${t.source}" on ${metric}: ${t.aggregation} does not apply to a ${type}`);
    }
    result.set(metric, parsed);
  }
  return result;
}

export function evaluateThreshold(threshold: Threshold, sink: MetricSink, testDurationMs: number): ThresholdResult['ok'] {
  const actual = sink.aggregate(threshold.aggregation, testDurationMs) ?? Number.NaN;
  switch (threshold.operator) {
    case '<':
      return actual < threshold.value;
    case '<=':
      return actual <= threshold.value;
    case '>':
      return actual > threshold.value;
    case '>=':
      return actual >= threshold.value;
    case '==':
    case '===':
      return actual === threshold.value;
    case '!=':
      return actual !== threshold.value;
  }
}
