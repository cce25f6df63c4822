import { metricValue } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, expectAllRunning, useFaultCluster } from './cluster-faults-kit.js';

// ARCHITECTURE "Processes": an edge holds nothing that cannot be rebuilt from Redis — the watcher dialogs are
// mirrored there, so another edge adopts a dialog whose edge died when the subscriber's next request reaches it.
describe.runIf(clusterTierAvailable())('cluster edge faults', () => {
  const ctx = useFaultCluster();

  it('edge crash - after SIGKILL of its edge, the in-dialog refresh sent to another edge is answered from the mirrored dialog, and later changes are notified through that edge', async () => {
    const target = await ctx.start();
    const { cluster } = target;
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const presentity = aor('edge-crash');
    const publisher = await ctx.ua(edgeB.sipPort, 'publisher');
    const watcher = await ctx.ua(edgeA.sipPort, 'watcher');
    const first = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'e', basic: 'open', note: 'before' }]), expires: 600 });
    expect(first.status).toBe(200);

    const { response, dialog } = await watcher.subscribe(presentity, { expires: 600 });
    expect(response.status).toBe(200);
    expect(response.header('contact')).toContain(`:${edgeA.sipPort}`);
    const initial = await dialog.nextNotify();
    expect(initial.flow.remotePort, 'initial NOTIFY from edge A').toBe(edgeA.sipPort);
    expect(tuplesOf(initial.body)).toEqual(['e:open']);

    await edgeA.process.kill();

    // The subscriber fails over (e.g. DNS SRV): same dialog (Call-ID, tags), next CSeq, sent to edge B.
    dialog.remoteTarget = `sip:127.0.0.1:${edgeB.sipPort};transport=udp`;
    const refresh = await dialog.refresh(600);
    expect(refresh.status, 'edge B adopts the dialog from the Redis mirror').toBe(200);
    expect(refresh.to.params.tag, 'same dialog: the notifier tag is kept').toBe(dialog.remoteTag);
    expect(refresh.header('expires')).toBe('600');
    expect(refresh.header('contact')).toContain(`:${edgeB.sipPort}`);

    const adopted = await dialog.nextNotify();
    expect(adopted.flow.remotePort, 'NOTIFY after the refresh from edge B').toBe(edgeB.sipPort);
    expect(adopted.from.params.tag).toBe(dialog.remoteTag);
    expect(adopted.callId).toBe(dialog.callId);
    // RFC 3261 §12.2.1.1: the notifier's CSeq keeps growing across the adoption.
    expect(adopted.cseq.seq).toBeGreaterThan(initial.cseq.seq);
    expect(adopted.header('subscription-state')).toMatch(/^active;expires=(599|600)$/);
    expect(tuplesOf(adopted.body)).toEqual(['e:open']);

    const modified = await publish(publisher, presentity, { ifMatch: first.header('sip-etag')!, body: pidf(presentity, [{ id: 'e', basic: 'closed', note: 'after' }]), expires: 600 });
    expect(modified.status).toBe(200);
    const changed = await dialog.nextNotify();
    expect(changed.flow.remotePort, 'change notified through edge B').toBe(edgeB.sipPort);
    expect(changed.from.params.tag).toBe(dialog.remoteTag);
    expect(changed.cseq.seq).toBeGreaterThan(adopted.cseq.seq);
    expect(tuplesOf(changed.body)).toEqual(['e:closed']);
    expect(changed.body).toContain('after');

    expect(metricValue(await edgeB.process.metrics(), 'presence_subscriptions', { state: 'active' })).toBe(1);
    expectAllRunning([edgeB.process, ...cluster.agents]);
  });

  it('edge crash - a watcher\'s notification filter (RFC 4661) lives in the mirror: the adopting edge keeps filtering after a refresh without body', async () => {
    const target = await ctx.start();
    const [edgeA, edgeB] = [target.cluster.edges[0]!, target.cluster.edges[1]!];
    const presentity = aor('edge-crash-filter');
    const publisher = await ctx.ua(edgeB.sipPort, 'publisher');
    const watcher = await ctx.ua(edgeA.sipPort, 'watcher');
    const first = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'e', basic: 'open', note: 'before' }]), expires: 600 });
    const filter =
      '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><ns-bindings><ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/></ns-bindings>' +
      '<filter id="basic"><what><include>//pidf:basic</include></what><trigger><changed>//pidf:basic</changed></trigger></filter></filter-set>';
    const { dialog } = await watcher.subscribe(presentity, { expires: 600, headers: { 'Content-Type': 'application/simple-filter+xml' }, body: filter });
    const initial = await dialog.nextNotify();
    expect(tuplesOf(initial.body)).toEqual(['e:open']);
    expect(initial.body).not.toContain('before');

    await edgeA.process.kill();
    dialog.remoteTarget = `sip:127.0.0.1:${edgeB.sipPort};transport=udp`;
    expect((await dialog.refresh(600)).status, 'edge B adopts the dialog from the Redis mirror').toBe(200);
    const adopted = await dialog.nextNotify();
    expect(adopted.flow.remotePort).toBe(edgeB.sipPort);
    expect(adopted.body, 'still filtered on edge B').not.toContain('before');

    // A note change does not fire the trigger; the basic status change does, and its NOTIFY is the next one.
    const noteOnly = await publish(publisher, presentity, { ifMatch: first.header('sip-etag')!, body: pidf(presentity, [{ id: 'e', basic: 'open', note: 'meeting' }]), expires: 600 });
    await publish(publisher, presentity, { ifMatch: noteOnly.header('sip-etag')!, body: pidf(presentity, [{ id: 'e', basic: 'closed', note: 'after' }]), expires: 600 });
    const changed = await dialog.nextNotify();
    expect(tuplesOf(changed.body)).toEqual(['e:closed']);
    expect(changed.body).not.toContain('after');
    expect(dialog.notifies).toHaveLength(3);
    expectAllRunning([edgeB.process, ...target.cluster.agents]);
  });
});
