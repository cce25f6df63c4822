import { partitionOf, partitionsOwnedBy } from '@presence/core';
import { sleep } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, fetchState, LEASE_MS, notifyMatching, useFaultCluster } from './cluster-faults-kit.js';

// ARCHITECTURE "Request deadlines": an agent frozen (SIGSTOP) past its lease still has requests queued for it in
// NATS; the edge answers them 503 when its wait ends. On SIGCONT the agent must apply none of them.
describe.runIf(clusterTierAvailable())('cluster agent stall', () => {
  const ctx = useFaultCluster();

  it('agent frozen past its lease - PUBLISHes answered 503 meanwhile are never applied after SIGCONT, and cause no 412', { timeout: 60_000 }, async () => {
    const { cluster } = await ctx.start({ edges: 1 });
    const [victim, survivor] = [cluster.agents[0]!, cluster.agents[1]!];
    const share = new Set(partitionsOwnedBy(victim.id, cluster.agents.map((a) => a.id), cluster.partitions));
    let presentity = aor('stall');
    while (!share.has(partitionOf(presentity, cluster.partitions))) presentity = aor('stall');
    const edge = cluster.edges[0]!;
    const [owner, ghostly, refresher] = [await ctx.ua(edge.sipPort, 'owner'), await ctx.ua(edge.sipPort, 'ghostly'), await ctx.ua(edge.sipPort, 'refresher')];
    const watcher = await ctx.ua(edge.sipPort, 'watcher');

    expect((await publish(owner, presentity, { body: pidf(presentity, [{ id: 'base', basic: 'open' }]), expires: 600 })).status).toBe(200);
    const before = await publish(refresher, presentity, { body: pidf(presentity, [{ id: 'mine', basic: 'open', note: 'first' }]), expires: 600 });
    expect(before.status).toBe(200);
    let refresherEtag = before.header('sip-etag')!;
    const { response, dialog } = await watcher.subscribe(presentity, { expires: 600 });
    expect(response.status).toBe(200);
    const seen: string[][] = [tuplesOf((await dialog.nextNotify()).body)];

    const answered = new Map<string, number>();
    const ghost = async (id: string): Promise<void> => {
      const r = await publish(ghostly, presentity, { body: pidf(presentity, [{ id, basic: 'open' }]), expires: 600 });
      answered.set(id, r.status);
    };
    const refresherStatuses: number[] = [];
    victim.child.process.kill('SIGSTOP');
    try {
      // While only the frozen agent holds the partition: every one of these waits out the edge and gets 503.
      const modify = publish(refresher, presentity, { ifMatch: refresherEtag, body: pidf(presentity, [{ id: 'mine', basic: 'closed', note: 'frozen' }]), expires: 600 });
      await Promise.all(['g1', 'g2', 'g3'].map(ghost));
      const modified = await modify;
      refresherStatuses.push(modified.status);
      if (modified.status === 200) refresherEtag = modified.header('sip-etag')!;
      // Frozen past the lease: the survivor takes over and the queue group routes to either agent.
      await sleep(LEASE_MS + 1500);
      await Promise.all(['g4', 'g5', 'g6', 'g7', 'g8', 'g9'].map(ghost));
    } finally {
      victim.child.process.kill('SIGCONT');
    }
    await cluster.settled(20_000);

    const refused = [...answered].filter(([, status]) => status === 503).map(([id]) => id);
    const accepted = [...answered].filter(([, status]) => status === 200).map(([id]) => id);
    expect(refused.length, `answers: ${JSON.stringify([...answered])}`).toBeGreaterThan(0);
    expect(refused.length + accepted.length, 'every PUBLISH answered 200 or 503').toBe(answered.size);

    // The refresher only ever had 503 (or a 200 it took the entity-tag of): its entity-tag still matches.
    const again = await publish(refresher, presentity, { ifMatch: refresherEtag, body: pidf(presentity, [{ id: 'mine', basic: 'open', note: 'after' }]), expires: 600 });
    refresherStatuses.push(again.status);
    expect(refresherStatuses.filter((s) => s === 412), `refresher answers ${refresherStatuses.join(',')}`).toEqual([]);
    expect(again.status).toBe(200);
    // A later PUBLISH without If-Match is fine.
    expect((await publish(owner, presentity, { body: pidf(presentity, [{ id: 'marker', basic: 'open' }]), expires: 600 })).status).toBe(200);
    await notifyMatching(dialog, (n) => (seen.push(tuplesOf(n.body)), n.body.includes('"marker"') && n.body.includes('after')), 10_000);

    const { response: fetched, body } = await fetchState(owner, presentity);
    expect(fetched.status).toBe(200);
    const final = tuplesOf(body!);
    for (const id of refused) {
      expect(final, `tuple ${id} of a PUBLISH answered 503 in the composed document`).not.toContain(`${id}:open`);
      expect(seen.flat(), `tuple ${id} of a PUBLISH answered 503 notified`).not.toContain(`${id}:open`);
    }
    for (const id of accepted) expect(final).toContain(`${id}:open`);
    expect(final).toEqual(expect.arrayContaining(['base:open', 'mine:open', 'marker:open']));
    if (refresherStatuses[0] === 503) expect(seen.flat(), 'the refresher modify answered 503 was notified').not.toContain('mine:closed');
    expect(survivor.child.exited()).toBe(false);
  });
});
