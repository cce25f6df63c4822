import { systemClock } from '@presence/core';
import { silentLogger, type PeriodicTask } from '@presence/runtime';
import { createMemoryStore, type MemoryStore } from '@presence/store';
import { eventually } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionOwnership } from './partition-ownership.js';

const PARTITIONS = 32;
const options = (memberId: string) => ({ memberId, partitionCount: PARTITIONS, leaseTtlMs: 600, tickMs: 100 });

describe('partition ownership', () => {
  let store: MemoryStore;
  const running: PartitionOwnership[] = [];

  beforeEach(async () => {
    store = await createMemoryStore({ clock: systemClock });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((o) => o.stop()));
    await store.close();
  });

  function worker(memberId: string, events: string[] = []): PartitionOwnership {
    const ownership = new PartitionOwnership(store, systemClock, options(memberId), {
      gained: (p) => events.push(`+${p}`),
      lost: async (p) => void events.push(`-${p}`),
    }, silentLogger);
    running.push(ownership);
    return ownership;
  }

  it('ownership - a drain that fails when partitions move is logged, never an unhandled rejection', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_context: object, message: string) => void warnings.push(message) };
    const a = new PartitionOwnership(store, systemClock, options('a'), {
      gained: () => undefined,
      lost: () => Promise.reject(new Error('drain failed')),
    }, logger);
    running.push(a);
    await a.start();
    const b = worker('b');
    await b.start();
    await eventually(() => expect(warnings).toContain('draining a partition we no longer own failed'), { timeoutMs: 3000 });
    await a.stop(); // every remaining drain fails too, and stop() still resolves
    expect(a.ownedPartitions()).toEqual([]);
  });

  it('ownership - a lone worker holds every partition as soon as it started', async () => {
    const a = worker('a');
    await a.start();
    expect(a.ownedPartitions()).toHaveLength(PARTITIONS);
  });

  it('ownership - two workers split the partitions with no overlap', async () => {
    const a = worker('a');
    const b = worker('b');
    await a.start();
    await b.start();
    await eventually(() => {
      const owned = [...a.ownedPartitions(), ...b.ownedPartitions()].sort((x, y) => x - y);
      expect(owned).toEqual(Array.from({ length: PARTITIONS }, (_, i) => i));
      expect(a.ownedPartitions().length).toBeGreaterThan(0);
      expect(b.ownedPartitions().length).toBeGreaterThan(0);
    }, { timeoutMs: 3000 });
  });

  it('ownership - a worker that stops hands its partitions over within a tick or two', async () => {
    const a = worker('a');
    const b = worker('b');
    await a.start();
    await b.start();
    await eventually(() => expect(b.ownedPartitions().length).toBeGreaterThan(0), { timeoutMs: 3000 });
    await a.stop();
    await eventually(() => expect(b.ownedPartitions()).toHaveLength(PARTITIONS), { timeoutMs: 500 });
  });

  it('ownership - partitions of a worker that died are taken over once its leases lapse, not before', async () => {
    const a = worker('a');
    await a.start();
    const b = worker('b');
    // "a" dies without releasing anything: stop its loop but keep its leases in the store.
    running.splice(running.indexOf(a), 1);
    const internals = a as unknown as { stopped: boolean; ticks: PeriodicTask };
    internals.stopped = true;
    await internals.ticks.stop();
    const diedAt = Date.now();
    await b.start();
    expect(b.ownedPartitions().length).toBeLessThan(PARTITIONS);
    await eventually(() => expect(b.ownedPartitions()).toHaveLength(PARTITIONS), { timeoutMs: 3000 });
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(500);
  });
});
