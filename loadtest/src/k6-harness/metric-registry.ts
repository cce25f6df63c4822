import { MetricSink, type MetricType } from './metric-sink.js';
import type { Sample } from './protocol.js';

/** k6's built-in metrics that this harness emits (the ones its modules produce). */
const BUILTINS: ReadonlyArray<[string, MetricType, boolean]> = [
  ['checks', 'rate', false],
  ['iterations', 'counter', false],
  ['iteration_duration', 'trend', true],
  ['ws_sessions', 'counter', false],
  ['ws_connecting', 'trend', true],
  ['ws_session_duration', 'trend', true],
  ['ws_msgs_sent', 'counter', false],
  ['ws_msgs_received', 'counter', false],
  ['ws_ping', 'trend', true],
];

export interface CheckCount {
  readonly name: string;
  readonly group: string;
  passes: number;
  fails: number;
}

/** Every metric of the run with its sink, and the per-check counts k6's summary lists. */
export class MetricRegistry {
  readonly sinks = new Map<string, MetricSink>();
  readonly checks = new Map<string, CheckCount>();

  constructor() {
    for (const [name, type, isTime] of BUILTINS) this.define(name, type, isTime);
  }

  /** Each VU declares the script's metrics again; a second declaration must agree with the first, as k6 requires. */
  define(name: string, type: MetricType, isTime: boolean): void {
    const existing = this.sinks.get(name);
    if (existing === undefined) {
      this.sinks.set(name, new MetricSink({ name, type, contains: isTime ? 'time' : 'default' }));
      return;
    }
    if (existing.definition.type !== type) throw new Error(`metric ${name} already declared as a ${existing.definition.type}, now as a ${type}`);
  }

  add([name, value, tags]: Sample): void {
    const sink = this.sinks.get(name);
    if (sink === undefined) throw new Error(`sample for undeclared metric ${name}`);
    sink.add(value);
    if (name === 'checks') {
      const check = tags?.['check'] ?? '';
      const group = tags?.['group'] ?? '';
      const key = `${group}::${check}`;
      const count = this.checks.get(key) ?? { name: check, group, passes: 0, fails: 0 };
      if (value !== 0) count.passes++;
      else count.fails++;
      this.checks.set(key, count);
    }
  }

  types(): Map<string, MetricType> {
    return new Map([...this.sinks].map(([name, sink]) => [name, sink.definition.type]));
  }
}
