import { canonicalPidf, PidfDiffWatcher, publish } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, useFaultCluster } from './cluster-faults-kit.js';

const PIDF_DIFF = 'application/pidf-diff+xml';
const tuple = (id: string, basic: string) => `<tuple id="${id}"><status><basic>${basic}</basic></status><contact>sip:${id}@example.com</contact></tuple>`;

/**
 * Partial presence in a cluster (2 edges, 2 agents, NATS, Redis): a partial
 * PUBLISH (RFC 5264) reaches the agent through one edge; a pidf-diff watcher
 * on the other edge rebuilds (xmldom + xpath, not the server's code) the
 * document a plain watcher gets. When its edge dies, the edge that adopts
 * the dialog from the Redis mirror keeps partial notification: pidf-full,
 * which starts the watcher over, then diffs again.
 */
describe.runIf(clusterTierAvailable())('cluster partial presence', () => {
  const ctx = useFaultCluster();

  it('partial PUBLISH through edge B, pidf-diff NOTIFYs from edge A, and from edge B after it adopts the dialog', { timeout: 60_000 }, async () => {
    const { cluster } = await ctx.start();
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const presentity = aor('partial');
    const full = (...tuples: string[]) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<p:pidf-full xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" entity="${presentity}" version="0">${tuples.join('')}</p:pidf-full>`;
    const replaceBasic = (id: string, basic: string) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" entity="${presentity}" version="1"><p:replace sel="presence/tuple[@id='${id}']/status/basic/text()">${basic}</p:replace></p:pidf-diff>`;
    const publisher = await ctx.ua(edgeB.sipPort, 'publisher');
    const partialUa = await ctx.ua(edgeA.sipPort, 'partial');
    const plainUa = await ctx.ua(edgeB.sipPort, 'plain');

    const initial = await publish(publisher, presentity, { contentType: PIDF_DIFF, body: full(tuple('desk', 'open'), tuple('phone', 'open'), tuple('car', 'closed')), expires: 600 });
    expect(initial.status).toBe(200);
    const partial = await partialUa.subscribe(presentity, { accept: `${PIDF_DIFF}, application/pidf+xml`, expires: 600 });
    const plain = await plainUa.subscribe(presentity, { expires: 600 });
    expect([partial.response.status, plain.response.status]).toEqual([200, 200]);
    const watcher = new PidfDiffWatcher();
    const step = async () => {
      const [diff, whole] = await Promise.all([partial.dialog.nextNotify(), plain.dialog.nextNotify()]);
      expect(diff.contentType).toBe(PIDF_DIFF);
      const kind = watcher.receive(diff.body);
      expect(watcher.canonical()).toBe(canonicalPidf(whole.body));
      return { kind, port: diff.flow.remotePort };
    };
    expect(await step()).toEqual({ kind: 'full', port: edgeA.sipPort });

    let etag = initial.header('sip-etag')!;
    const patch = async (id: string, basic: string) => {
      const response = await publish(publisher, presentity, { contentType: PIDF_DIFF, ifMatch: etag, body: replaceBasic(id, basic), expires: 600 });
      expect(response.status).toBe(200);
      etag = response.header('sip-etag')!;
    };
    await patch('phone', 'closed');
    expect(await step()).toEqual({ kind: 'diff', port: edgeA.sipPort });
    expect(watcher.currentVersion).toBe(1);

    await edgeA.process.kill();
    partial.dialog.remoteTarget = `sip:127.0.0.1:${edgeB.sipPort};transport=udp`;
    expect((await partial.dialog.refresh(600)).status, 'edge B adopts the dialog from the Redis mirror').toBe(200);
    const adopted = await partial.dialog.nextNotify();
    expect(adopted.contentType, 'the adopting edge keeps partial notification').toBe(PIDF_DIFF);
    expect(watcher.receive(adopted.body)).toBe('full');

    await patch('car', 'open');
    expect(await step()).toEqual({ kind: 'diff', port: edgeB.sipPort });
  });
});
