import { eventually, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import {
  aor,
  expect503WithRetryAfter,
  expectAllRunning,
  fetchState,
  metricSum,
  processesOf,
  readyStatus,
  timed,
  useFaultCluster,
} from './cluster-faults-kit.js';

/**
 * Bound on one request while Redis is away: the edge's retry budget for a partition nobody serves (3 s)
 * plus margin; far below the SIP transaction timeout (64·T1 = 32 s for the test UA).
 */
const ANSWER_BOUND_MS = 6000;

/** PUBLISH, SUBSCRIBE and REGISTER each once: every one must be a prompt 503 with Retry-After. */
async function expectAllRefused(ua: TestUa, presentity: string, phase: string): Promise<number[]> {
  const attempts = await Promise.all([
    timed(publish(ua, presentity, { body: pidf(presentity, [{ id: 'x', basic: 'open' }]), expires: 600 })),
    timed(ua.subscribe(presentity, { expires: 600 }).then((s) => s.response)),
    timed(ua.request('REGISTER', { expires: 600 })),
  ]);
  const methods = ['PUBLISH', 'SUBSCRIBE', 'REGISTER'];
  attempts.forEach(({ value, ms }, i) => {
    expect503WithRetryAfter(value, `${methods[i]} ${phase}`);
    expect(ms, `${methods[i]} ${phase} answered within bounds`).toBeLessThan(ANSWER_BOUND_MS);
  });
  return attempts.map((a) => a.ms);
}

/** After Redis is back: REGISTER, a new subscription, a PUBLISH and its NOTIFY all work again (bounded). */
async function expectServiceResumed(publisher: TestUa, watcher: TestUa, presentity: string, note: string): Promise<void> {
  await eventually(async () => expect((await publisher.request('REGISTER', { expires: 600 })).status).toBe(200), { timeoutMs: 10_000, intervalMs: 200 });
  let dialog: Awaited<ReturnType<TestUa['subscribe']>>['dialog'] | undefined;
  await eventually(
    async () => {
      const subscribed = await watcher.subscribe(presentity, { expires: 600 });
      expect(subscribed.response.status).toBe(200);
      dialog = subscribed.dialog;
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
  await dialog!.nextNotify();
  const published = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'r', basic: 'open', note }]), expires: 600 });
  expect(published.status).toBe(200);
  const notify = await dialog!.nextNotify({ timeoutMs: 3000 });
  expect(notify.body).toContain(note);
}

// ARCHITECTURE "Failure model": Redis unavailable — requests get 503 with Retry-After, processes stay up and
// recover when it returns.
describe.runIf(clusterTierAvailable())('cluster Redis faults', () => {
  const ctx = useFaultCluster();

  it('redis down - PUBLISH, SUBSCRIBE and REGISTER get a prompt 503 with Retry-After, nothing exits, service resumes after the restart', { timeout: 45_000 }, async () => {
    const target = await ctx.start();
    const { cluster } = target;
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const publisher = await ctx.ua(edgeA.sipPort, 'publisher');
    const watcher = await ctx.ua(edgeB.sipPort, 'watcher');
    const presentity = aor('redis-down');
    expect((await publisher.request('REGISTER', { expires: 600 })).status).toBe(200);

    await cluster.redis.kill();
    // At once: the agents still hold their leases, the store calls fail fast.
    const early = await expectAllRefused(publisher, presentity, 'just after Redis died');
    // Later: the agents could not renew and stopped serving; the edge's retries run out.
    await eventually(async () => expect(await metricSum(cluster.agents, 'presence_owned_partitions')).toBe(0), { timeoutMs: 6000, intervalMs: 100 });
    const late = await expectAllRefused(publisher, presentity, 'once the agents dropped their leases');
    expectAllRunning(processesOf(target));
    for (const p of processesOf(target)) expect(await readyStatus(p), `/readyz of ${p.id} while Redis is down`).toBe(503);

    await cluster.redis.restart();
    // Redis keeps no data across its restart here (--save ''): only service is asserted, not old state.
    await expectServiceResumed(publisher, watcher, presentity, 'after redis came back');
    await cluster.settled(10_000);
    expectAllRunning(processesOf(target));
    for (const p of processesOf(target)) expect(await readyStatus(p), `/readyz of ${p.id}`).toBe(200);
    console.info(`[redis down] 503 times (PUBLISH, SUBSCRIBE, REGISTER) early ${early.join('/')} ms, after lease loss ${late.join('/')} ms`);
  });

  it('redis hung - a paused Redis gives a prompt 503 with Retry-After, nothing exits, and after it resumes service and old state are back', { timeout: 45_000 }, async () => {
    const target = await ctx.start();
    const { cluster } = target;
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const publisher = await ctx.ua(edgeA.sipPort, 'publisher');
    const watcher = await ctx.ua(edgeB.sipPort, 'watcher');
    const kept = aor('kept');
    expect((await publish(publisher, kept, { body: pidf(kept, [{ id: 'k', basic: 'open', note: 'kept' }]), expires: 600 })).status).toBe(200);

    cluster.redis.pause();
    let timesMs: number[];
    try {
      timesMs = await expectAllRefused(publisher, aor('hung'), 'while Redis is hung');
      expectAllRunning(processesOf(target));
    } finally {
      cluster.redis.resume();
    }
    await expectServiceResumed(publisher, watcher, aor('after-hang'), 'after redis resumed');
    const { body } = await fetchState(watcher, kept);
    expect(tuplesOf(body ?? ''), 'state from before the hang').toEqual(['k:open']);
    await cluster.settled(10_000);
    expectAllRunning(processesOf(target));
    console.info(`[redis hung] 503 times (PUBLISH, SUBSCRIBE, REGISTER) ${timesMs.join('/')} ms`);
  });
});
