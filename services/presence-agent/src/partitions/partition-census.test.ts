import type { Publication } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import { createMemoryStore, type MemoryStore } from '@presence/store';
import { metricValue } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionCensus } from './partition-census.js';

const PARTITIONS = 8;
const LEASE_MS = 10_000;

describe('partition census', () => {
  let now: number;
  let store: MemoryStore;
  const censuses: PartitionCensus[] = [];

  beforeEach(async () => {
    now = 1_800_000_000_000;
    store = await createMemoryStore({ clock: { now: () => now } });
  });

  afterEach(async () => {
    await Promise.all(censuses.splice(0).map((c) => c.stop()));
    await store.close();
  });

  function census(owned: number[], logger = silentLogger) {
    const metrics = createPresenceMetrics({ processMetrics: false });
    const counted = new PartitionCensus(store, () => owned, { partitionCount: PARTITIONS, intervalMs: 60_000 }, metrics, logger);
    censuses.push(counted);
    const read = async (name: string): Promise<number> => metricValue(await metrics.render(), name);
    return { counted, unowned: () => read('presence_partitions_unowned'), published: () => read('presence_published_presentities') };
  }

  async function publish(presentity: string, partition: number): Promise<void> {
    const publication: Publication = { etag: 'e', expiresAt: now + 60_000, publishedAt: now, contentType: 'application/pidf+xml', body: '<presence/>' };
    await store.commitPresentity({ presentity, partition, expectedRevision: 0, publications: [publication], document: '<presence/>', documentChanged: true });
  }

  it('census - unowned partitions over the whole lease table; published presentities of the owned partitions only', async () => {
    for (const p of [0, 1, 2]) await store.acquireLease(p, 'agent-a', LEASE_MS);
    await store.acquireLease(5, 'agent-b', LEASE_MS);
    await publish('sip:a@x', 0);
    await publish('sip:b@x', 0);
    await publish('sip:c@x', 2);
    await publish('sip:d@x', 5);
    const { counted, unowned, published } = census([0, 1, 2]);

    await counted.start();
    expect(await unowned()).toBe(PARTITIONS - 4);
    expect(await published()).toBe(3);

    // agent-b crashed: its lease lapses and partition 5 has no owner until someone takes it.
    now += LEASE_MS / 2;
    for (const p of [0, 1, 2]) await store.acquireLease(p, 'agent-a', LEASE_MS);
    now += LEASE_MS / 2;
    await counted.start();
    expect(await unowned()).toBe(PARTITIONS - 3);
  });

  it('census - a census that cannot read the store is logged and leaves the last figures', async () => {
    const warnings: string[] = [];
    await store.acquireLease(0, 'agent-a', LEASE_MS);
    const { counted, unowned } = census([0], { ...silentLogger, warn: (_context: object, message: string) => void warnings.push(message) });
    await counted.start();
    expect(await unowned()).toBe(PARTITIONS - 1);
    await store.close();
    await counted.start();
    expect(warnings).toEqual(['partition census failed; the metrics keep the last figures']);
    expect(await unowned()).toBe(PARTITIONS - 1);
  });
});
