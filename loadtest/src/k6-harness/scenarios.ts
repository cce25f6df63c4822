import { parseK6Duration } from './duration.js';

/** A scenario as the runner executes it (k6 options normalised, durations in ms). */
export interface Scenario {
  readonly name: string;
  readonly executor: 'per-vu-iterations' | 'shared-iterations' | 'constant-vus';
  readonly vus: number;
  /** per-vu-iterations: per VU; shared-iterations: in total. */
  readonly iterations: number;
  /** constant-vus: how long; the iteration executors: maxDuration. */
  readonly durationMs: number;
  readonly startTimeMs: number;
  readonly gracefulStopMs: number;
  readonly exec: string;
}

const EXECUTORS = ['per-vu-iterations', 'shared-iterations', 'constant-vus'];

/**
 * The scenarios of `options`, as k6 reads them: `scenarios`, or the shortcuts
 * `iterations` (shared-iterations) / `duration` (constant-vus) with `vus`.
 * Executors this harness does not provide are refused, not approximated.
 */
export function readScenarios(options: Record<string, unknown>): Scenario[] {
  const scenarios = options['scenarios'];
  if (scenarios !== undefined) {
    if (typeof scenarios !== 'object' || scenarios === null) throw new Error('options.scenarios must be an object');
    return Object.entries(scenarios).map(([name, config]) => readScenario(name, config as Record<string, unknown>));
  }
  const vus = Number(options['vus'] ?? 1);
  if (options['duration'] !== undefined && options['iterations'] === undefined) {
    return [readScenario('default', { executor: 'constant-vus', vus, duration: options['duration'] })];
  }
  return [readScenario('default', { executor: 'shared-iterations', vus, iterations: options['iterations'] ?? 1 })];
}

function readScenario(name: string, config: Record<string, unknown>): Scenario {
  const executor = String(config['executor']);
  if (!EXECUTORS.includes(executor)) throw new Error(`scenario ${name}: executor ${executor} is not provided by this harness (${EXECUTORS.join(', ')})`);
  const vus = positive(config['vus'] ?? 1, `scenario ${name}: vus`);
  const iterations = positive(config['iterations'] ?? 1, `scenario ${name}: iterations`);
  const durationMs =
    executor === 'constant-vus'
      ? parseK6Duration(required(config['duration'], `scenario ${name}: duration`), `scenario ${name}: duration`)
      : parseK6Duration((config['maxDuration'] as string | undefined) ?? '10m', `scenario ${name}: maxDuration`);
  if (executor === 'shared-iterations' && iterations < vus) throw new Error(`scenario ${name}: the number of iterations (${iterations}) can't be less than the number of VUs (${vus})`);
  return {
    name,
    executor: executor as Scenario['executor'],
    vus,
    iterations,
    durationMs,
    startTimeMs: parseK6Duration((config['startTime'] as string | undefined) ?? '0s', `scenario ${name}: startTime`),
    gracefulStopMs: parseK6Duration((config['gracefulStop'] as string | undefined) ?? '30s', `scenario ${name}: gracefulStop`),
    exec: (config['exec'] as string | undefined) ?? 'default',
  };
}

function positive(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${String(value)}`);
  return n;
}

function required(value: unknown, what: string): string {
  if (value === undefined) throw new Error(`${what} is required`);
  return String(value);
}
