import { eventually, metricValue, type TestDialog } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, metricSum, useFaultCluster } from './cluster-faults-kit.js';

const CHANGES = 5;
const WATCHERS_PER_EDGE = 3;

// ARCHITECTURE "The load it exists to cut", lever 3: a change leaves its partition owner as ONE bus message and
// NATS delivers one copy to each edge with watchers of the presentity: changes × interested edges, never × watchers.
describe.runIf(clusterTierAvailable())('cluster fan-out', () => {
  const ctx = useFaultCluster();

  it('fan-out - each change is one bus message out and one in per interested edge; NOTIFYs are rendered at the edges', async () => {
    const target = await ctx.start();
    const { cluster } = target;
    const edgeC = await cluster.startEdge();
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const presentity = aor('fanout');

    // Three watchers on edge A, three on edge B, none on edge C; the publisher goes through edge C.
    const dialogs: TestDialog[] = [];
    for (const edge of [edgeA, edgeB]) {
      for (let i = 0; i < WATCHERS_PER_EDGE; i++) {
        const watcher = await ctx.ua(edge.sipPort, `watcher-${i}`);
        const { response, dialog } = await watcher.subscribe(presentity, { expires: 600 });
        expect(response.status).toBe(200);
        expect(tuplesOf((await dialog.nextNotify()).body)).toEqual([]);
        dialogs.push(dialog);
      }
    }
    const publisher = await ctx.ua(edgeC.sipPort, 'publisher');

    let etag: string | undefined;
    for (let n = 1; n <= CHANGES; n++) {
      const note = `change ${n}`;
      const response = await publish(publisher, presentity, { ifMatch: etag, body: pidf(presentity, [{ id: 'f', basic: n % 2 ? 'open' : 'closed', note }]), expires: 600 });
      expect(response.status).toBe(200);
      etag = response.header('sip-etag')!;
      // Every watcher sees every change (waiting here keeps the NOTIFYs from being coalesced).
      for (const dialog of dialogs) expect((await dialog.nextNotify()).body).toContain(`<note>${note}</note>`);
    }

    const edgeMetric = async (edge: typeof edgeA, name: string, labels: Record<string, string>) => metricValue(await edge.process.metrics(), name, labels);
    await eventually(
      async () => {
        for (const edge of [edgeA, edgeB]) {
          expect(await edgeMetric(edge, 'presence_notifies_sent_total', { result: 'ok' }), `NOTIFYs ok at ${edge.process.id}`).toBe(
            WATCHERS_PER_EDGE + WATCHERS_PER_EDGE * CHANGES,
          );
        }
      },
      { timeoutMs: 3000, intervalMs: 50 },
    );
    const out = await metricSum(cluster.agents, 'presence_change_bus_messages_total', { direction: 'out' });
    const changes = await metricSum(cluster.agents, 'presence_changes_total');
    const inA = await edgeMetric(edgeA, 'presence_change_bus_messages_total', { direction: 'in' });
    const inB = await edgeMetric(edgeB, 'presence_change_bus_messages_total', { direction: 'in' });
    const inC = await edgeMetric(edgeC, 'presence_change_bus_messages_total', { direction: 'in' });
    console.info(`[fan-out] ${CHANGES} changes, ${dialogs.length} watchers: bus out ${out}, in A ${inA} / B ${inB} / C ${inC}`);
    expect(changes, 'changes committed').toBe(CHANGES);
    expect(out, 'one bus message per change, whatever the number of watchers').toBe(CHANGES);
    expect(inA, 'edge A: one message per change').toBe(CHANGES);
    expect(inB, 'edge B: one message per change').toBe(CHANGES);
    expect(inC, 'edge C has no interest in the presentity').toBe(0);
    expect(await edgeMetric(edgeC, 'presence_notifies_sent_total', { result: 'ok' }), 'edge C sends no NOTIFY').toBe(0);
    expect(await edgeMetric(edgeC, 'presence_watched_presentities', {})).toBe(0);
    for (const edge of [edgeA, edgeB]) expect(await edgeMetric(edge, 'presence_watched_presentities', {})).toBe(1);
  });
});
