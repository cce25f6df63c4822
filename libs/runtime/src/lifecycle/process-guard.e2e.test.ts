import { fileURLToPath } from 'node:url';
import { Children } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

// A real Node process (built dist/): by default either failure below would end it with exit code 1.
const SCRIPT = `
import { processGuard } from '@presence/runtime';
import { createPresenceMetrics } from '@presence/metrics';
const metrics = createPresenceMetrics({ processMetrics: false });
const logged = [];
const logger = { debug() {}, info() {}, warn() {}, error: (context, message) => logged.push(message + ': ' + context.err.message), child: () => logger, isLevelEnabled: () => true };
processGuard(logger, metrics).install();
Promise.reject(new Error('a bug in a promise chain'));
setTimeout(() => { throw new Error('a bug in a timer'); }, 0);
setTimeout(async () => {
  process.stdout.write(JSON.stringify({ logged, metrics: await metrics.render() }));
}, 100);
`;

describe('process guard in a real process', () => {
  const children = new Children();
  afterEach(() => children.killAll());

  it('guard - the process outlives an unhandled rejection and an uncaught exception, and counts both', async () => {
    const child = children.spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT });
    const exit = await child.exit(10_000);
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
    const { logged, metrics } = JSON.parse(child.stdout()) as { logged: string[]; metrics: string };
    expect(logged.sort()).toEqual([
      'uncaught exception (uncaughtException): the process carries on: a bug in a timer',
      'unhandled promise rejection: the process carries on: a bug in a promise chain',
    ]);
    expect(metrics).toContain('presence_internal_errors_total{source="unhandled_rejection"} 1');
    expect(metrics).toContain('presence_internal_errors_total{source="uncaught_exception"} 1');
  });
});
