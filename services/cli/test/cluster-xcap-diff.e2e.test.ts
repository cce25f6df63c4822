import { connectNatsBus } from '@presence/bus/nats';
import { createSubjects, encodeMessage } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { createRedisStore } from '@presence/store';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, useFaultCluster } from './cluster-faults-kit.js';

/**
 * xcap-diff (RFC 5875) in a cluster: the edge reads the entity tags from
 * Redis and hears the change on NATS (xcap.<auid>), as the XCAP server
 * announces it after writing (the test plays that server).
 */
describe.runIf(clusterTierAvailable())('cluster xcap-diff', () => {
  const ctx = useFaultCluster();

  it('xcap-diff - full state from Redis, then the change announced on NATS, at the edge holding the dialog', { timeout: 45_000 }, async () => {
    const { cluster } = await ctx.start();
    const store = await createRedisStore({ url: cluster.redis.url, clock: systemClock });
    const bus = await connectNatsBus({ servers: cluster.nats.url });
    try {
      const user = await ctx.ua(cluster.edges[1]!.sipPort, 'xcap');
      const ref = { auid: 'pres-rules', scope: 'users' as const, owner: user.aor, filename: 'index' };
      const created = await store.putXcapDocument(ref, '<ruleset/>');
      if (!created.ok) throw new Error('seed failed');
      const { response, dialog } = await user.subscribe(user.aor, {
        event: 'xcap-diff',
        expires: 600,
        headers: { 'Content-Type': 'application/resource-lists+xml' },
        body: `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="pres-rules/users/${user.aor}/"/></list></resource-lists>`,
      });
      expect(response.status).toBe(200);
      expect((await dialog.nextNotify()).body).toContain(`<document sel="pres-rules/users/${user.aor}/index" new-etag="${created.etag}"/>`);
      const changed = await store.putXcapDocument(ref, '<ruleset><rule id="r"/></ruleset>', { ifMatch: created.etag });
      if (!changed.ok) throw new Error('change failed');
      bus.publish(createSubjects().xcapChange('pres-rules'), encodeMessage({ v: 1, type: 'xcap-change', ...ref, previousEtag: created.etag, etag: changed.etag, changedAt: Date.now() }));
      expect((await dialog.nextNotify({ timeoutMs: 8000 })).body).toContain(`previous-etag="${created.etag}" new-etag="${changed.etag}"`);
    } finally {
      await bus.close();
      await store.close();
    }
  });
});
