import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, expectAllRunning, useFaultCluster } from './cluster-faults-kit.js';

// docs/architecture.md "Rate control and conditional notification": entity-tags derive from (incarnation,
// version, view), so the edge that adopts a dialog knows the tag the first edge sent, and the rates come
// with the refresh that moves the dialog.
describe.runIf(clusterTierAvailable())('cluster conditional notification', () => {
  const ctx = useFaultCluster();

  it('adoption - a refresh reaching another edge with the entity-tag the first edge sent gets 204; the rates it states apply there', async () => {
    const target = await ctx.start();
    const [edgeA, edgeB] = [target.cluster.edges[0]!, target.cluster.edges[1]!];
    const presentity = aor('conditional');
    const publisher = await ctx.ua(edgeB.sipPort, 'publisher');
    const watcher = await ctx.ua(edgeA.sipPort, 'watcher');
    const first = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'c', basic: 'open' }]), expires: 600 });
    expect(first.status).toBe(200);

    const { dialog } = await watcher.subscribe(presentity, { expires: 600, headers: { Event: 'presence;max-rate=2' } });
    const initial = await dialog.nextNotify();
    expect(initial.flow.remotePort, 'initial NOTIFY from edge A').toBe(edgeA.sipPort);
    expect(initial.header('subscription-state')).toMatch(/;max-rate=2$/);
    const tag = initial.header('sip-etag')!;
    expect(tag).toBeTruthy();

    await edgeA.process.kill();
    dialog.remoteTarget = `sip:127.0.0.1:${edgeB.sipPort};transport=udp`;
    const refresh = await dialog.refresh(600, { Event: 'presence;max-rate=1', 'Suppress-If-Match': tag });
    expect(refresh.status, 'edge B adopts the dialog and knows the tag is current').toBe(204);
    expect(refresh.header('expires')).toBe('600');

    const modified = await publish(publisher, presentity, { ifMatch: first.header('sip-etag')!, body: pidf(presentity, [{ id: 'c', basic: 'closed' }]), expires: 600 });
    expect(modified.status).toBe(200);
    // The first NOTIFY after the 204 is the change, from edge B, with the rate the refresh stated.
    const changed = await dialog.nextNotify();
    expect(changed.flow.remotePort).toBe(edgeB.sipPort);
    expect(tuplesOf(changed.body)).toEqual(['c:closed']);
    expect(changed.header('sip-etag')).not.toBe(tag);
    expect(changed.header('subscription-state')).toMatch(/;max-rate=1$/);
    expectAllRunning([edgeB.process, ...target.cluster.agents]);
  });
});
