import { connectNatsBus } from '@presence/bus/nats';
import { createSubjects, encodeMessage } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { createRedisStore } from '@presence/store';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, expectAllRunning, useFaultCluster } from './cluster-faults-kit.js';
import { entries, LIST_HEADERS, listUri, parseListNotify, resourceLists, rlsServices } from './rls-kit.js';

/**
 * A list subscription in a cluster (RFC 4662): the list's documents and the
 * service URI claim in Redis (as the XCAP role writes them), the list
 * dialog on edge A mirrored like a single dialog; A dies, the subscriber's
 * refresh reaches edge B, which adopts the dialog, rebuilds the list from
 * the service, and notifies member changes from then on.
 */
describe.runIf(clusterTierAvailable())('cluster resource lists', () => {
  const ctx = useFaultCluster();

  it('rls cluster - a list dialog is adopted by another edge on refresh: full state with versions going on, then member changes and a list edit announced on NATS through it', { timeout: 60_000 }, async () => {
    const { cluster } = await ctx.start();
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const watcher = await ctx.ua(edgeA.sipPort, 'list-owner');
    const publisher = await ctx.ua(edgeB.sipPort, 'publisher');
    const members = [aor('m1'), aor('m2'), aor('m3')];
    const service = aor('buddies');
    const store = await createRedisStore({ url: cluster.redis.url, clock: systemClock });
    const lists = { auid: 'resource-lists', scope: 'users' as const, owner: watcher.aor, filename: 'index' };
    const services = { auid: 'rls-services', scope: 'users' as const, owner: watcher.aor, filename: 'index' };
    try {
      expect((await store.putXcapDocument(lists, resourceLists(`<list name="l">${entries(members)}</list>`))).ok).toBe(true);
      expect((await store.claimXcapServiceUri(service, services, Date.now())).ok).toBe(true);
      expect((await store.putXcapDocument(services, rlsServices(`<service uri="${service}"><resource-list>${listUri(watcher.aor, 'list[@name="l"]')}</resource-list></service>`))).ok).toBe(true);
    } finally {
      await store.close();
    }
    expect((await publish(publisher, members[0]!, { body: pidf(members[0]!, [{ id: 'a', basic: 'open' }]), expires: 600 })).status).toBe(200);

    const { response, dialog } = await watcher.subscribe(service, { expires: 600, headers: LIST_HEADERS });
    expect(response.status).toBe(200);
    const initial = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect(initial).toMatchObject({ version: 0, fullState: true });
    expect([...initial.resources.keys()]).toEqual(members);
    expect(tuplesOf(initial.resources.get(members[0]!)!.pidf!)).toEqual(['a:open']);

    await edgeA.process.kill();
    dialog.remoteTarget = `sip:127.0.0.1:${edgeB.sipPort};transport=udp`;
    const refresh = await dialog.refresh(600);
    expect(refresh.status, 'edge B adopts the list dialog from the Redis mirror').toBe(200);
    const adoptedNotify = await dialog.nextNotify({ timeoutMs: 10_000 });
    expect(adoptedNotify.flow.remotePort).toBe(edgeB.sipPort);
    const adopted = await parseListNotify(adoptedNotify);
    expect(adopted.fullState).toBe(true);
    // RFC 4662 §5.2: versions only grow within a subscription, across the adoption too.
    expect(adopted.version).toBeGreaterThan(initial.version);
    expect([...adopted.resources.keys()]).toEqual(members);

    expect((await publish(publisher, members[2]!, { body: pidf(members[2]!, [{ id: 'c', basic: 'open' }]), expires: 600 })).status).toBe(200);
    const changed = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect(changed).toMatchObject({ fullState: false, version: adopted.version + 1 });
    expect([...changed.resources.keys()]).toEqual([members[2]]);
    expect(tuplesOf(changed.resources.get(members[2]!)!.pidf!)).toEqual(['c:open']);

    // A list edit as the xcap role makes it: the document in Redis, the announcement on NATS; the adopting edge follows it.
    const edited = await createRedisStore({ url: cluster.redis.url, clock: systemClock });
    const bus = await connectNatsBus({ servers: cluster.nats.url });
    try {
      const added = aor('m4');
      const put = await edited.putXcapDocument(lists, resourceLists(`<list name="l">${entries([members[0]!, members[1]!, added])}</list>`));
      if (!put.ok) throw new Error('list edit failed');
      bus.publish(createSubjects().xcapChange('resource-lists'), encodeMessage({ v: 1, type: 'xcap-change', ...lists, etag: put.etag, changedAt: Date.now() }));
      const live = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
      expect(live.fullState).toBe(false);
      expect(live.resources.get(added)?.state).toBe('active');
      expect(live.resources.get(members[2]!)).toEqual({ state: 'terminated', reason: 'noresource' });
    } finally {
      await bus.close();
      await edited.close();
    }
    expectAllRunning([edgeB.process, ...cluster.agents]);
  });
});
