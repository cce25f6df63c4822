import { partitionOf, partitionsOwnedBy } from '@presence/core';
import { createTestUa, sleep, type TestUa } from '@presence/testkit';
import { WatcherInfoView } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, LEASE_MS, useFaultCluster } from './cluster-faults-kit.js';

/**
 * presence.winfo across a cluster (RFC 3857/3858, ARCHITECTURE "Watcher
 * information"): the presentity's winfo dialog on edge A, its watchers on
 * edge B, the feed from the agent owning it. When that agent dies its
 * successor counts in another epoch: edge A sees the gap and sends full
 * state again, with the next version, instead of a partial it cannot vouch for.
 */
describe.runIf(clusterTierAvailable())('cluster watcher information', () => {
  const ctx = useFaultCluster();

  it('winfo - watchers on another edge reach the winfo subscriber; after the owning agent dies a fresh full state follows', { timeout: 60_000 }, async () => {
    const { cluster } = await ctx.start();
    const [victim] = cluster.agents;
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const victimShare = new Set(partitionsOwnedBy(victim!.id, cluster.agents.map((a) => a.id), cluster.partitions));
    let presentity = aor('owner');
    while (!victimShare.has(partitionOf(presentity, cluster.partitions))) presentity = aor('owner');
    const owner: TestUa = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: edgeA.sipPort }, aor: presentity });
    try {
      const { dialog } = await owner.subscribe(presentity, { event: 'presence.winfo', expires: 600 });
      const view = new WatcherInfoView(dialog);
      await view.next();
      expect(view.states).toEqual(['full']);

      const first = await ctx.ua(edgeB.sipPort, 'first');
      expect((await first.subscribe(presentity, { expires: 600 })).response.status).toBe(200);
      const subscribed = await view.next();
      expect(subscribed.entries).toEqual([expect.objectContaining({ uri: first.aor, status: 'active', event: 'subscribe' })]);

      await victim!.kill();
      const second = await ctx.ua(edgeB.sipPort, 'second');
      const deadline = Date.now() + LEASE_MS + 10_000;
      // While the partition moves the edge answers 503; the successor then records the watcher in its own epoch.
      for (;;) {
        const { response } = await second.subscribe(presentity, { expires: 600 });
        if (response.status === 200) break;
        expect(response.status).toBe(503);
        if (Date.now() > deadline) throw new Error('the presentity was not served again after the agent died');
        await sleep(200);
      }
      const resynced = await view.next();
      expect(view.states[2]).toBe('full');
      expect(resynced.entries.map((w) => w.uri).sort()).toEqual([first.aor, second.aor].sort());
      expect(view.versions).toEqual([0, 1, 2]);
    } finally {
      await owner.close();
    }
  });
});
