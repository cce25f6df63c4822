import { describe, expect, it } from 'vitest';
import { parseK6Duration } from './duration.js';
import { readScenarios } from './scenarios.js';

describe('k6 scenarios', () => {
  it('durations as k6 writes them', () => {
    expect(parseK6Duration('1m30s', 'd')).toBe(90_000);
    expect(parseK6Duration('250ms', 'd')).toBe(250);
    expect(parseK6Duration('2', 'd')).toBe(2000);
    expect(() => parseK6Duration('10 minutes', 'd')).toThrow(/not a duration/);
  });

  it('shortcut options become the executor k6 picks', () => {
    expect(readScenarios({ vus: 2, duration: '5s' })).toMatchObject([{ executor: 'constant-vus', vus: 2, durationMs: 5000, exec: 'default' }]);
    expect(readScenarios({ vus: 2, iterations: 10 })).toMatchObject([{ executor: 'shared-iterations', vus: 2, iterations: 10 }]);
  });

  it('scenarios keep startTime, gracefulStop and exec', () => {
    const [s] = readScenarios({ scenarios: { pub: { executor: 'per-vu-iterations', vus: 3, iterations: 1, startTime: '3s', gracefulStop: '1s', exec: 'publish' } } });
    expect(s).toMatchObject({ name: 'pub', vus: 3, iterations: 1, startTimeMs: 3000, gracefulStopMs: 1000, exec: 'publish', durationMs: 600_000 });
  });

  it('refuses executors it does not provide and impossible shared iterations', () => {
    expect(() => readScenarios({ scenarios: { a: { executor: 'ramping-arrival-rate' } } })).toThrow(/not provided by this harness/);
    expect(() => readScenarios({ scenarios: { a: { executor: 'shared-iterations', vus: 5, iterations: 2 } } })).toThrow(/can't be less/);
  });
});
