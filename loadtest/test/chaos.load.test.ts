import { binaryGate, requireOrSkip } from '@presence/dev-tools';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAOS_CONFIG } from '../src/chaos/chaos-options.js';
import { renderChaosReport } from '../src/chaos/chaos-report.js';
import { runChaos, type ChaosConfig } from '../src/chaos/run-chaos.js';

/**
 * `npm run chaos` on a short schedule (issue #10 "Hold under attack and
 * faults"): every disturbance once, with short gaps, against single servers
 * and against a three-master Redis Cluster with a three-node NATS cluster
 * (one node of each killed). Only the invariants are judged — no watcher
 * sees a state go backwards, no acknowledged PUBLISH is lost, every watcher
 * ends on the stored state, no process dies on its own — never timings: the
 * degraded seconds are printed, not asserted. Needs the built dist/.
 */
const SHORT: ChaosConfig = { ...DEFAULT_CHAOS_CONFIG, presentities: 30, watchers: 3, rate: 20, gapS: 4, leaseSeconds: 3, subscribeExpiresS: 20 };

const available = (): boolean =>
  requireOrSkip(binaryGate('nats-server', 'apt-get install nats-server'), 'chaos tier') &&
  requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'chaos tier') &&
  requireOrSkip(binaryGate('redis-cli', 'apt-get install redis-tools'), 'chaos tier');

async function run(config: ChaosConfig): Promise<{ violated: string[]; report: string }> {
  const result = await runChaos(config, () => undefined);
  const report = renderChaosReport(result);
  process.stdout.write(`\n${report}\n`);
  expect(result.windows.map((w) => w.name)).toEqual(['baseline (no disturbance)', ...config.schedule, 'settle (publishers stopped)']);
  return { violated: result.invariants.filter((i) => !i.ok).map((i) => i.name), report };
}

async function expectInvariantsHold(config: ChaosConfig): Promise<void> {
  const { violated, report } = await run(config);
  expect(violated, report).toEqual([]);
}

describe.runIf(available())('chaos, short schedule', () => {
  it('single nats-server and redis-server: agent and edge killed, NATS and Redis restarted, an agent stalled past its lease', { timeout: 150_000 }, async () => {
    await expectInvariantsHold(SHORT);
  });

  it('three-master Redis Cluster and three-node NATS cluster, one node of each killed, and the same agent and edge faults', { timeout: 150_000 }, async () => {
    await expectInvariantsHold({ ...SHORT, redisCluster: true, natsCluster: true });
  });

  it('the checks bite: Redis without persistence loses acknowledged publications in its restart, and the run says so', { timeout: 90_000 }, async () => {
    const { violated, report } = await run({ ...SHORT, presentities: 20, watchers: 2, redisFsync: 'none', schedule: ['redis-restart'] });
    expect(violated, report).toContain('no acknowledged publication lost');
  });
});
