import { partitionOf, partitionsOwnedBy } from '@presence/core';
import { eventually, sleep, type TestDialog } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import {
  aor,
  expect503WithRetryAfter,
  expectAllRunning,
  metricSum,
  notifyMatching,
  processesOf,
  readyStatus,
  timed,
  useFaultCluster,
} from './cluster-faults-kit.js';

// ARCHITECTURE "Failure model": NATS restarted — all processes reconnect; watchers converge to current state.
// "Fan-out details": events lost while the bus was down are repaired by the edges' re-fetch after the reconnect.
describe.runIf(clusterTierAvailable())('cluster NATS faults', () => {
  const ctx = useFaultCluster();

  it('nats restart - every process reconnects, a change lost during the outage is repaired by the re-fetch, and watchers get later changes', { timeout: 45_000 }, async () => {
    const target = await ctx.start();
    const { cluster } = target;
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const edges = [edgeA.process, edgeB.process];
    const steady = aor('steady');
    const lapsing = aor('lapsing');
    const publisher = await ctx.ua(edgeA.sipPort, 'publisher');
    const watcherUas = [await ctx.ua(edgeA.sipPort, 'watcher-a'), await ctx.ua(edgeB.sipPort, 'watcher-b')];

    const first = await publish(publisher, steady, { body: pidf(steady, [{ id: 's', basic: 'open', note: 'before the outage' }]), expires: 600 });
    expect(first.status).toBe(200);
    // One watcher of each presentity on each edge.
    const subscribe = async (presentity: string) =>
      Promise.all(
        watcherUas.map(async (ua) => {
          const { response, dialog } = await ua.subscribe(presentity, { expires: 600 });
          expect(response.status).toBe(200);
          await dialog.nextNotify();
          return dialog;
        }),
      );
    const steadyWatchers = await subscribe(steady);
    const lapsingWatchers = await subscribe(lapsing);
    // A publication with the shortest Expires (2 s): it lapses while NATS is down.
    const lapsingAt = Date.now() + 2000;
    expect((await publish(publisher, lapsing, { body: pidf(lapsing, [{ id: 'l', basic: 'open' }]), expires: 2 })).status).toBe(200);
    for (const dialog of lapsingWatchers) expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['l:open']);
    const changesBefore = await metricSum(cluster.agents, 'presence_changes_total');
    const edgeEventsBefore = await Promise.all(edges.map((e) => metricSum([e], 'presence_change_bus_messages_total', { direction: 'in' })));

    await cluster.nats.kill();
    const killedAt = Date.now();
    // A change during the outage cannot reach an agent: 503 with Retry-After, and not after the SIP transaction timeout.
    const during = await timed(
      publish(publisher, steady, { ifMatch: first.header('sip-etag')!, body: pidf(steady, [{ id: 's', basic: 'closed', note: 'during the outage' }]), expires: 600 }),
    );
    expect503WithRetryAfter(during.value, 'PUBLISH while NATS is down');
    expect(during.ms).toBeLessThan(8000);
    // The agent's expiry sweep commits the lapse meanwhile (Redis is fine): its change event has no bus to go on.
    await sleep(Math.max(0, lapsingAt + 1500 - Date.now()));
    await eventually(async () => expect(await metricSum(cluster.agents, 'presence_changes_total')).toBe(changesBefore + 1), { timeoutMs: 3000, intervalMs: 100 });
    const outageMs = Date.now() - killedAt;
    await cluster.nats.restart();
    const restartedAt = Date.now();

    // Watchers of the lapsed presentity on both edges converge to the current (empty) state,
    // although the event never reached the edges: the re-fetch after the reconnect did it.
    await Promise.all(lapsingWatchers.map((dialog) => notifyMatching(dialog, (n) => tuplesOf(n.body).length === 0, 10_000)));
    const convergedMs = Date.now() - restartedAt;
    const edgeEventsAfter = await Promise.all(edges.map((e) => metricSum([e], 'presence_change_bus_messages_total', { direction: 'in' })));
    expect(edgeEventsAfter, 'the lapse event was lost with the outage (so only the re-fetch can have notified)').toEqual(edgeEventsBefore);

    // After the restart changes flow again (once the edge and the agent are back on the bus) and every watcher gets them.
    let etag = first.header('sip-etag')!;
    await eventually(
      async () => {
        const response = await publish(publisher, steady, { ifMatch: etag, body: pidf(steady, [{ id: 's', basic: 'closed', note: 'after the outage' }]), expires: 600 });
        if (response.status === 503) expect503WithRetryAfter(response, 'PUBLISH while processes reconnect');
        expect(response.status).toBe(200);
        etag = response.header('sip-etag')!;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    for (const dialog of steadyWatchers) {
      const notify = await notifyMatching(dialog, (n) => n.body.includes('after the outage'), 5000);
      expect(tuplesOf(notify.body)).toEqual(['s:closed']);
      expect(notify.header('subscription-state')).toMatch(/^active/);
    }
    // The rejected change never took effect.
    for (const dialog of steadyWatchers) expect(dialog.notifies.some((n) => n.body.includes('during the outage'))).toBe(false);

    // No process exited; all are ready; the agents still split the partitions.
    expectAllRunning(processesOf(target));
    for (const p of processesOf(target)) expect(await readyStatus(p), `/readyz of ${p.id}`).toBe(200);
    await cluster.settled(5000);
    console.info(`[nats restart] outage ${outageMs} ms; PUBLISH during it answered 503 in ${during.ms} ms; lapse repaired ${convergedMs} ms after the restart`);
  });

  it('nats restart with an agent down - watchers converge in every partition, the orphaned one included, once it is served again', { timeout: 50_000 }, async () => {
    // Production lease time (8 s): the crashed agent's partitions stay unserved longer than the edge's retry budget (3 s).
    const LEASE_8_MS = 8000;
    const target = await ctx.start({ agentArgs: ['--lease-time', String(LEASE_8_MS / 1000)] });
    const { cluster } = target;
    const [victim, survivor] = [cluster.agents[0]!, cluster.agents[1]!];
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const victimShare = new Set(partitionsOwnedBy(victim.id, cluster.agents.map((a) => a.id), cluster.partitions));
    const pick = (onVictim: boolean) => {
      for (;;) {
        const candidate = aor(onVictim ? 'orphaned' : 'served');
        if (victimShare.has(partitionOf(candidate, cluster.partitions)) === onVictim) return candidate;
      }
    };
    // Both lapse during the outage, each committed by its owner; the victim's partition is re-fetched first.
    const orphaned = pick(true);
    const served = pick(false);
    const publisher = await ctx.ua(edgeA.sipPort, 'publisher');
    const watcherUas = [await ctx.ua(edgeA.sipPort, 'watcher-a'), await ctx.ua(edgeB.sipPort, 'watcher-b')];
    const watchers = new Map<string, TestDialog[]>([[orphaned, []], [served, []]]);
    for (const ua of watcherUas) {
      for (const presentity of [orphaned, served]) {
        const { response, dialog } = await ua.subscribe(presentity, { expires: 600 });
        expect(response.status).toBe(200);
        await dialog.nextNotify();
        watchers.get(presentity)!.push(dialog);
      }
    }
    const lapsingAt = Date.now() + 2000;
    for (const presentity of [orphaned, served]) {
      expect((await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'l', basic: 'open' }]), expires: 2 })).status).toBe(200);
      for (const dialog of watchers.get(presentity)!) expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['l:open']);
    }
    const changesBefore = await metricSum(cluster.agents, 'presence_changes_total');

    await cluster.nats.kill();
    await sleep(Math.max(0, lapsingAt + 1000 - Date.now()));
    await eventually(async () => expect(await metricSum(cluster.agents, 'presence_changes_total')).toBe(changesBefore + 2), { timeoutMs: 3000, intervalMs: 100 });
    // The victim dies just before NATS returns: its partitions wait for its lease to lapse.
    await victim.kill();
    await cluster.nats.restart();
    const restartedAt = Date.now();
    const converged = (presentity: string, withinMs: number) =>
      Promise.all(watchers.get(presentity)!.map((dialog) => notifyMatching(dialog, (n) => tuplesOf(n.body).length === 0, withinMs)));

    // Design ("Fan-out details"): a lost message can delay a NOTIFY but never leave a watcher stale.
    // In the partition served all along: right after the reconnect (plus one exhausted retry budget at most).
    await converged(served, 10_000);
    const servedMs = Date.now() - restartedAt;
    // In the orphaned partition: once the survivor has taken it over (lease time + renewal tick + margin).
    await converged(orphaned, Math.max(0, restartedAt + LEASE_8_MS + 7000 - Date.now()));
    console.info(`[nats restart + agent down] served partition repaired ${servedMs} ms, orphaned ${Date.now() - restartedAt} ms after the restart`);
    expectAllRunning([...cluster.edges.map((e) => e.process), survivor]);
  });
});
