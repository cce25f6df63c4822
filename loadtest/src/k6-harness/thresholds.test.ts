import { describe, expect, it } from 'vitest';
import { MetricSink, type MetricType } from './metric-sink.js';
import { evaluateThreshold, parseThreshold, readThresholds } from './thresholds.js';

function sink(type: MetricType, values: number[]): MetricSink {
  const s = new MetricSink({ name: 'm', type, contains: 'default' });
  for (const v of values) s.add(v);
  return s;
}

describe('k6 thresholds', () => {
  it('parse - aggregation, operator and number', () => {
    expect(parseThreshold('p(99.9) <= 250')).toMatchObject({ aggregation: 'p(99.9)', operator: '<=', value: 250 });
    expect(parseThreshold('count==0')).toMatchObject({ aggregation: 'count', operator: '==', value: 0 });
    expect(() => parseThreshold('p95 < 1')).toThrow(/invalid threshold/);
  });

  it('trend percentiles interpolate between ranks, as k6 computes them', () => {
    const trend = sink('trend', [40, 10, 30, 20]);
    expect(trend.aggregate('p(50)', 1000)).toBe(25);
    expect(trend.aggregate('med', 1000)).toBe(25);
    expect(trend.aggregate('p(95)', 1000)).toBeCloseTo(38.5);
    expect(trend.aggregate('avg', 1000)).toBe(25);
    expect(sink('trend', []).aggregate('p(95)', 1000)).toBe(0);
  });

  it('rate is the share of non-zero samples; a counter rate is per second of the run', () => {
    expect(sink('rate', [1, 0, 0, 0]).aggregate('rate', 1000)).toBe(0.25);
    expect(sink('counter', [2, 3]).aggregate('rate', 2000)).toBe(2.5);
  });

  it('evaluate - holds or fails by the aggregate', () => {
    const errors = sink('rate', [1, 0, 0, 0]);
    expect(evaluateThreshold(parseThreshold('rate<0.5'), errors, 1000)).toBe(true);
    expect(evaluateThreshold(parseThreshold('rate<0.1'), errors, 1000)).toBe(false);
    expect(evaluateThreshold(parseThreshold('count==0'), sink('counter', [1]), 1000)).toBe(false);
  });

  it('refuses what it cannot evaluate instead of passing it: unknown metric, wrong aggregation, submetric, abortOnFail', () => {
    const types = new Map<string, MetricType>([['t', 'trend'], ['c', 'counter']]);
    expect(readThresholds({ t: ['p(95)<1', { threshold: 'avg<2' }] }, types).get('t')).toHaveLength(2);
    expect(() => readThresholds({ nope: ['count>0'] }, types)).toThrow(/no metric named nope/);
    expect(() => readThresholds({ c: ['p(95)<1'] }, types)).toThrow(/does not apply to a counter/);
    expect(() => readThresholds({ 't{tag:x}': ['avg<1'] }, types)).toThrow(/submetric/);
    expect(() => readThresholds({ t: [{ threshold: 'avg<1', abortOnFail: true }] }, types)).toThrow(/abortOnFail/);
  });
});
