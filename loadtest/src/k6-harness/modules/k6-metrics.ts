import type { MetricType } from '../metric-sink.js';
import type { VuState } from '../vu-state.js';

const NAME = /^[\p{L}\p{N}._ !?/&#()<>%-]{1,128}$/u;

/** The `k6/metrics` module: Counter, Gauge, Rate, Trend. */
export function k6MetricsModule(state: VuState): Record<string, unknown> {
  const metricClass = (type: MetricType) =>
    class {
      readonly name: string;
      constructor(name: string, isTime = false) {
        if (state.phase !== 'init') throw new Error('metrics must be declared in the init context');
        if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`invalid metric name: '${String(name)}'`);
        this.name = name;
        state.defineMetric(name, type, type === 'trend' && isTime === true);
      }
      add(value: number | boolean, tags?: Record<string, string>): boolean {
        if (state.phase === 'init') throw new Error('cannot add samples in the init context');
        const number = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
        if (!Number.isFinite(number)) throw new Error(`'${String(value)}' is an invalid value for metric '${this.name}'`);
        state.emit(this.name, number, tags);
        return true;
      }
    };
  const exports = { Counter: metricClass('counter'), Gauge: metricClass('gauge'), Rate: metricClass('rate'), Trend: metricClass('trend') };
  return { ...exports, default: exports };
}
