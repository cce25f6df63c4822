import { createPresenceMetrics } from '@presence/metrics';
import { metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.js';
import { processGuard } from './process-guard.js';

describe('process guard', () => {
  it('guard - an unhandled rejection and an uncaught exception are logged with the error and counted by source', async () => {
    const metrics = createPresenceMetrics({ processMetrics: false });
    const logged: [object, string][] = [];
    const guard = processGuard({ ...silentLogger, error: (context, message) => void logged.push([context, message]) }, metrics);
    const rejection = new Error('rejected');
    guard.onUnhandledRejection(rejection);
    guard.onUncaughtException(new Error('thrown'), 'uncaughtException');
    guard.onUnhandledRejection('not even an Error');
    const text = await metrics.render();
    expect(metricValue(text, 'presence_internal_errors_total', { source: 'unhandled_rejection' })).toBe(2);
    expect(metricValue(text, 'presence_internal_errors_total', { source: 'uncaught_exception' })).toBe(1);
    expect(logged[0]).toEqual([{ err: rejection }, 'unhandled promise rejection: the process carries on']);
    expect(logged[1]![1]).toBe('uncaught exception (uncaughtException): the process carries on');
  });

  it('guard - a logger that throws does not make the handler throw', () => {
    const guard = processGuard({ ...silentLogger, error: () => { throw new Error('log failed'); } }, createPresenceMetrics({ processMetrics: false }));
    expect(() => guard.onUncaughtException(new Error('x'), 'uncaughtException')).not.toThrow();
  });

  it('guard - install adds one handler of each kind and its result removes them', () => {
    const before = [process.listenerCount('unhandledRejection'), process.listenerCount('uncaughtException')];
    const remove = processGuard(silentLogger, createPresenceMetrics({ processMetrics: false })).install();
    expect([process.listenerCount('unhandledRejection'), process.listenerCount('uncaughtException')]).toEqual([before[0]! + 1, before[1]! + 1]);
    remove();
    expect([process.listenerCount('unhandledRejection'), process.listenerCount('uncaughtException')]).toEqual(before);
  });
});
