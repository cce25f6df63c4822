import { partitionOf, partitionsOwnedBy } from '@presence/core';
import { metricValue, sleep, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, fetchState, LEASE_MS, notifyMatching, useFaultCluster } from './cluster-faults-kit.js';

/** Takeover bound asserted after a crash: the lease time plus a margin (renewal tick, retry backoff, a loaded machine). */
const TAKEOVER_BOUND_MS = LEASE_MS + 3000;

// ARCHITECTURE "Failure model": a presence agent killed with SIGKILL loses nothing acknowledged and its partitions
// are served again within the lease time; a SIGTERMed agent hands its partitions over without failing a request.
describe.runIf(clusterTierAvailable())('cluster agent faults', () => {
  const ctx = useFaultCluster();

  it('agent crash - after SIGKILL every presentity is served again within the lease time, publications and subscriptions intact', { timeout: 45_000 }, async () => {
    const { cluster } = await ctx.start();
    const [victim, survivor] = [cluster.agents[0]!, cluster.agents[1]!];
    const members = cluster.agents.map((a) => a.id);
    const victimShare = new Set(partitionsOwnedBy(victim.id, members, cluster.partitions));
    // The rendezvous share computed here is what the running agent holds.
    expect(metricValue(await victim.metrics(), 'presence_owned_partitions')).toBe(victimShare.size);

    // Ten presentities in the victim's partitions and ten in the survivor's.
    const onVictim: string[] = [];
    const onSurvivor: string[] = [];
    while (onVictim.length < 10 || onSurvivor.length < 10) {
      const candidate = aor('crash');
      const list = victimShare.has(partitionOf(candidate, cluster.partitions)) ? onVictim : onSurvivor;
      if (list.length < 10) list.push(candidate);
    }
    const presentities = [...onVictim, ...onSurvivor];
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const publisher = await ctx.ua(edgeA.sipPort, 'publisher');
    const watchers = [await ctx.ua(edgeA.sipPort, 'watcher-a'), await ctx.ua(edgeB.sipPort, 'watcher-b')];
    const fetchers = [await ctx.ua(edgeA.sipPort, 'fetcher-a'), await ctx.ua(edgeB.sipPort, 'fetcher-b')];
    const tupleId = (i: number) => `t${i}`;

    const setups = await Promise.all(
      presentities.map(async (p, i) => {
        const published = await publish(publisher, p, { body: pidf(p, [{ id: tupleId(i), basic: 'open', note: 'before the crash' }]), expires: 600 });
        expect(published.status).toBe(200);
        const { response, dialog } = await watchers[i % 2]!.subscribe(p, { expires: 600 });
        expect(response.status).toBe(200);
        expect(tuplesOf((await dialog.nextNotify()).body)).toEqual([`${tupleId(i)}:open`]);
        return { etag: published.header('sip-etag')!, dialog };
      }),
    );

    const killedAt = Date.now();
    await victim.kill();

    // Every presentity is served again: a fetch through either edge returns the published tuple intact.
    const servedAfter = await Promise.all(
      presentities.map(async (p, i) => {
        const fetcher = fetchers[i % 2]!;
        for (;;) {
          const { response, body } = await fetchState(fetcher, p);
          if (response.status === 200) {
            expect(tuplesOf(body!), p).toEqual([`${tupleId(i)}:open`]);
            expect(body).toContain('before the crash');
            return Date.now() - killedAt;
          }
          // While the partition moves the edge may give up on its retry budget: 503 with Retry-After, nothing else.
          expect(response.status, `fetch of ${p} during the takeover`).toBe(503);
          expect(response.header('retry-after')).toMatch(/^\d+/);
          if (Date.now() - killedAt > TAKEOVER_BOUND_MS + 5000) throw new Error(`${p} not served ${Date.now() - killedAt} ms after the crash`);
          await sleep(100);
        }
      }),
    );
    const slowest = Math.max(...servedAfter);
    console.info(`[agent crash] every presentity served again ${slowest} ms after SIGKILL (victim share ${victimShare.size} partitions)`);
    expect(slowest, 'takeover within lease time + margin').toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    expect(metricValue(await survivor.metrics(), 'presence_owned_partitions')).toBe(cluster.partitions);

    // The publication state survived: a modify with the entity-tag from before the crash is accepted,
    // and the existing watcher (its edge untouched) is notified of it.
    await Promise.all(
      presentities.map(async (p, i) => {
        const { etag, dialog } = setups[i]!;
        const modified = await publish(publisher, p, { ifMatch: etag, body: pidf(p, [{ id: tupleId(i), basic: 'closed', note: 'after the crash' }]), expires: 600 });
        expect(modified.status, `modify of ${p} with its pre-crash SIP-ETag`).toBe(200);
        const notify = await notifyMatching(dialog, (n) => n.body.includes('after the crash'), 3000);
        expect(tuplesOf(notify.body)).toEqual([`${tupleId(i)}:closed`]);
        expect(notify.header('subscription-state')).toMatch(/^active/);
      }),
    );
  });

  it('agent drain - SIGTERM under a steady request stream fails no request, exits 0, and the survivor owns every partition', { timeout: 45_000 }, async () => {
    const { cluster } = await ctx.start();
    const [leaving, staying] = [cluster.agents[0]!, cluster.agents[1]!];
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const uas = [await ctx.ua(edgeA.sipPort, 'stream-a'), await ctx.ua(edgeB.sipPort, 'stream-b')];
    const presentities = Array.from({ length: 20 }, () => aor('drain'));
    const etags = await Promise.all(
      presentities.map(async (p, i) => {
        const response = await publish(uas[i % 2]!, p, { body: pidf(p, [{ id: `d${i}`, basic: 'open' }]), expires: 600 });
        expect(response.status).toBe(200);
        return response.header('sip-etag')!;
      }),
    );

    // 200 requests, one every 20 ms, spread over the presentities; per presentity one at a time
    // (a refresh needs the entity-tag of the previous one), alternating PUBLISH refresh and fetch.
    const REQUESTS = 200;
    const SIGTERM_AT = 60;
    const results: { n: number; what: string; status: number; ms: number; sentAfterSigterm: boolean }[] = [];
    const chains = presentities.map(() => Promise.resolve());
    let sigtermAt = Infinity;
    let exit: Promise<number | null> | undefined;
    const oneRequest = async (n: number, i: number, ua: TestUa): Promise<void> => {
      const p = presentities[i]!;
      const started = Date.now();
      const sentAfterSigterm = started >= sigtermAt;
      if (Math.floor(n / presentities.length) % 2 === 0) {
        const response = await publish(ua, p, { ifMatch: etags[i]!, expires: 600 });
        if (response.status === 200) etags[i] = response.header('sip-etag')!;
        results.push({ n, what: `PUBLISH refresh ${p}`, status: response.status, ms: Date.now() - started, sentAfterSigterm });
      } else {
        const { response, body } = await fetchState(ua, p);
        results.push({ n, what: `fetch ${p}`, status: response.status, ms: Date.now() - started, sentAfterSigterm });
        if (response.status === 200) expect(tuplesOf(body!)).toEqual([`d${i}:open`]);
      }
    };
    for (let n = 0; n < REQUESTS; n++) {
      if (n === SIGTERM_AT) {
        sigtermAt = Date.now();
        exit = leaving.stop();
      }
      const i = n % presentities.length;
      chains[i] = chains[i]!.then(() => oneRequest(n, i, uas[n % 2]!));
      await sleep(20);
    }
    await Promise.all(chains);
    const code = await exit!;

    const failed = results.filter((r) => r.status < 200 || r.status >= 300);
    const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a));
    console.info(`[agent drain] ${results.length} requests, ${results.filter((r) => r.sentAfterSigterm).length} sent after SIGTERM; slowest ${slowest.ms} ms (${slowest.what})`);
    expect(results).toHaveLength(REQUESTS);
    expect(failed, 'no request fails while an agent drains').toEqual([]);
    expect(code, `exit code of the SIGTERMed agent:\n${leaving.child.stderr().slice(-2000)}`).toBe(0);
    await cluster.settled(5000);
    expect(metricValue(await staying.metrics(), 'presence_owned_partitions')).toBe(cluster.partitions);
  });
});
