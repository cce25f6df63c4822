/**
 * Messages between the runner (main thread) and a VU (worker thread). Each VU
 * is a worker with its own JavaScript context, as each k6 VU has its own
 * runtime: module state is per VU, and sleep() blocks that VU only.
 */
import type { MetricType } from './metric-sink.js';

export interface VuWorkerData {
  readonly scriptPath: string;
  readonly env: Readonly<Record<string, string>>;
  /** 0 for the VU that runs setup() and teardown(), as in k6. */
  readonly vuId: number;
}

/** What exec.scenario and exec.vu report during one iteration. */
export interface IterationContext {
  readonly scenario: { readonly name: string; readonly executor: string; readonly startTime: number; readonly iterationInTest: number };
  readonly iterationInScenario: number;
  readonly iterationInInstance: number;
}

export type ToVu =
  | { readonly kind: 'iterate'; readonly exec: string; readonly data: string | undefined; readonly context: IterationContext }
  | { readonly kind: 'setup' }
  | { readonly kind: 'teardown'; readonly data: string | undefined }
  /** gracefulStop ran out: end the iteration in flight (close its sockets, drop its timers). */
  | { readonly kind: 'interrupt' };

/** [metric, value, tags] */
export type Sample = readonly [string, number, Readonly<Record<string, string>> | undefined];

export type FromVu =
  | { readonly kind: 'ready'; readonly options: string | undefined; readonly exports: readonly string[] }
  | { readonly kind: 'initFailed'; readonly error: string }
  | { readonly kind: 'metric'; readonly name: string; readonly type: MetricType; readonly isTime: boolean }
  | { readonly kind: 'samples'; readonly samples: readonly Sample[] }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn' | 'error' | 'debug'; readonly text: string }
  | { readonly kind: 'iterationDone'; readonly error: string | undefined; readonly interrupted: boolean }
  | { readonly kind: 'setupDone'; readonly data: string | undefined; readonly error: string | undefined }
  | { readonly kind: 'teardownDone'; readonly error: string | undefined }
  | { readonly kind: 'abort'; readonly reason: string };
