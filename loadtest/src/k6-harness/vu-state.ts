import type { VuEventLoop } from './event-loop.js';
import type { MetricType } from './metric-sink.js';
import type { IterationContext } from './protocol.js';

/** What the k6 modules of one VU share: its loop, its phase, and the way out to the runner. */
export interface VuState {
  readonly vuId: number;
  readonly loop: VuEventLoop;
  /** k6 allows some calls only in the init context (new metrics) and others only in VU code (exec.scenario). */
  phase: 'init' | 'vu';
  /** The iteration running now, for k6/execution. */
  iteration: IterationContext | undefined;
  /** Group names from the outermost, for check tags. */
  readonly groups: string[];
  defineMetric(name: string, type: MetricType, isTime: boolean): void;
  emit(metric: string, value: number, tags?: Readonly<Record<string, string>>): void;
  log(level: 'info' | 'warn' | 'error' | 'debug', text: string): void;
  abort(reason: string): void;
}

/** An Error of any realm: the script's context has its own Error constructor. */
export function isError(value: unknown): value is Error {
  return Object.prototype.toString.call(value) === '[object Error]';
}

/** How an error of the script is reported: its stack when it has one. */
export function describeError(error: unknown): string {
  if (isError(error)) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
