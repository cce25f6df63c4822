import { Children } from '@presence/dev-tools';
import { afterAll, describe, expect, it } from 'vitest';
import { runK6, thresholdResults, value } from './k6-harness-runner.js';

/**
 * The harness behaves like k6 where the scripts depend on it, and reports
 * failures instead of passing: each fixture script measures one behaviour.
 */
describe('k6 harness', () => {
  const children = new Children();
  afterAll(() => children.killAll());

  it('one runtime per VU, k6 globals only, __VU/__ITER/__ENV, sleep blocks the VU', async () => {
    const run = await runK6(children, 'loadtest/test/fixtures/vu-semantics.js', { FIXTURE: 'yes' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.iterationErrors).toEqual({});
    expect(run.summary.root_group.checks.map((c) => [c.name, c.passes, c.fails])).toEqual([
      ['no Node globals', 6, 0],
      ['__VU is the VU', 6, 0],
      ['__ITER counts this VU', 6, 0],
      ['__ENV from -e', 6, 0],
    ]);
    expect(value(run, 'calls_in_this_vu', 'max')).toBe(2);
    expect(value(run, 'calls_in_this_vu', 'count')).toBe(6);
    expect(value(run, 'iteration_id_sum', 'count')).toBe(0 + 1 + 2 + 3 + 4 + 5);
    expect(value(run, 'timer_fired_after_ms', 'min')).toBeGreaterThanOrEqual(300);
    expect(value(run, 'iterations', 'count')).toBe(6);
  });

  it('errors in callbacks and rejections end their iteration and are reported; a crossed threshold exits 99', async () => {
    const run = await runK6(children, 'loadtest/test/fixtures/failing-iterations.js', {});
    expect(run.code).toBe(99);
    expect(thresholdResults(run)).toEqual({ 'always_five: p(95)<1': false });
    expect(Object.keys(run.summary.iterationErrors).sort()).toEqual(['Error: rejected promise', 'Error: thrown in a timer']);
    expect(value(run, 'iterations', 'count')).toBe(4);
  });

  it('iterations still running after duration + gracefulStop are interrupted, not counted', async () => {
    const run = await runK6(children, 'loadtest/test/fixtures/graceful-stop.js', {});
    expect(run.code, run.stderr).toBe(0);
    expect(value(run, 'iterations', 'count')).toBe(0);
    expect(run.summary.iterationErrors).toEqual({});
  });

  it('a script importing a Node module fails to load, as in k6: exit 107', async () => {
    await expect(runK6(children, 'loadtest/test/fixtures/imports-node.js', {})).rejects.toThrow(/no summary \(exit 107\)[\s\S]*k6 has no module "node:fs"/);
  });
});
