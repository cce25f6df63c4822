import { BusTimeoutError, LocalBus } from '@presence/bus';
import { createSubjects, decodeAgentReply, encodeMessage, type AgentReply, type AgentRequest } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { createPresenceMetrics, type PresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import type { MemoryStore } from '@presence/store';
import { openMemoryStoreForTest } from '@presence/store/test-support';
import { FakeClock } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPresenceAgent, type PresenceAgent } from './agent.js';
import { deadlinePassed } from './handlers/request-deadline.js';

const PARTITIONS = 4;
const ALICE = 'sip:alice@example.com';
const LEASE_MS = 8000;
const MARGIN_MS = 250;
const subjects = createSubjects('unit.');
const doc = (note: string) =>
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

describe('request deadline', () => {
  it('deadline - passed once now is later than the deadline less the skew margin; never without a deadline', () => {
    expect(deadlinePassed(undefined, 10_000, 250)).toBe(false);
    expect(deadlinePassed(10_000, 9_750, 250)).toBe(false);
    expect(deadlinePassed(10_000, 9_751, 250)).toBe(true);
    expect(deadlinePassed(10_000, 10_000, 0)).toBe(false);
    expect(deadlinePassed(10_000, 10_001, 0)).toBe(true);
  });
});

describe('presence agent - request deadlines and stalled leases', () => {
  let clock: FakeClock;
  let bus: LocalBus;
  let store: MemoryStore;
  let metrics: PresenceMetrics;
  let agent: PresenceAgent;

  beforeEach(async () => {
    clock = new FakeClock();
    bus = new LocalBus();
    ({ store } = await openMemoryStoreForTest({ clock }));
    metrics = createPresenceMetrics({ processMetrics: false });
    agent = createPresenceAgent({
      bus, store, clock, subjects, metrics, partitionCount: PARTITIONS, memberId: 'agent-1', logger: silentLogger,
      leaseTtlMs: LEASE_MS, requestDeadlineMarginMs: MARGIN_MS,
    });
    await agent.start();
  });

  afterEach(async () => {
    await agent.stop();
    await bus.close();
    await store.close();
  });

  const ask = async (request: AgentRequest): Promise<AgentReply> =>
    decodeAgentReply(await bus.request(subjects.agent(partitionOf(ALICE, PARTITIONS)), encodeMessage(request), { timeoutMs: 300 }));
  const publish = (note: string, deadline?: number) =>
    ask({ v: 1, type: 'publish', presentity: ALICE, body: doc(note), contentType: 'application/pidf+xml', expires: 60, ...(deadline === undefined ? {} : { deadline }) });
  const documentNow = async () => {
    const reply = await ask({ v: 1, type: 'fetch', presentities: [ALICE] });
    if (reply.type !== 'states') throw new Error(reply.type);
    return reply.states[0]!.document;
  };
  const expired = async () => (await metrics.registry.getSingleMetric('presence_bus_requests_expired_total')!.get()).values.find((v) => v.labels.type === 'publish')!.value;

  it('agent - the expired-requests counter exists at 0 for every request type', async () => {
    const values = (await metrics.registry.getSingleMetric('presence_bus_requests_expired_total')!.get()).values;
    expect(values.map((v) => [v.labels.type, v.value])).toEqual([['publish', 0], ['subscribe', 0], ['unsubscribe', 0], ['fetch', 0]]);
  });

  it('agent - a request past its deadline is dropped unanswered and unapplied, and counted', async () => {
    await expect(publish('late', clock.now() - 1)).rejects.toBeInstanceOf(BusTimeoutError);
    expect(await expired()).toBe(1);
    expect(await documentNow()).not.toContain('late');
  });

  it('agent - the skew margin counts a request as expired that much before its deadline', async () => {
    await expect(publish('within margin', clock.now() + MARGIN_MS - 1)).rejects.toBeInstanceOf(BusTimeoutError);
    expect(await documentNow()).not.toContain('within margin');
    expect(await publish('in time', clock.now() + MARGIN_MS + 1)).toMatchObject({ type: 'published' });
    expect(await documentNow()).toContain('in time');
    expect(await expired()).toBe(1);
  });

  it('agent - a request without a deadline (an older edge) is applied as before', async () => {
    expect(await publish('no deadline')).toMatchObject({ type: 'published' });
    expect(await documentNow()).toContain('no deadline');
    expect(await expired()).toBe(0);
  });

  it('agent - after a stall past its lease renewal, a request is refused 503 unapplied and the partition is given up', async () => {
    const partition = partitionOf(ALICE, PARTITIONS);
    expect(agent.ownedPartitions()).toContain(partition);
    // Time jumps as if the process had been frozen; no renewal tick ran meanwhile.
    clock.advance(LEASE_MS);
    const reply = await publish('after the stall', clock.now() + 2000);
    expect(reply).toMatchObject({ type: 'error', status: 503 });
    expect(agent.ownedPartitions()).not.toContain(partition);
    expect(await store.loadPresentity(ALICE)).toMatchObject({ publications: [] });
  });
});

describe('presence agent - a change committed in time but answered late', () => {
  let clock: FakeClock;
  let bus: LocalBus;
  let store: MemoryStore;
  let agent: PresenceAgent;
  /** Set: each commit takes this long (an event loop lagging after a takeover or a stall). */
  let commitLagMs = 0;

  beforeEach(async () => {
    clock = new FakeClock();
    bus = new LocalBus();
    ({ store } = await openMemoryStoreForTest({ clock }));
    const lagging = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'commitPresentity') return Reflect.get(target, property, receiver) as unknown;
        return async (...args: Parameters<MemoryStore['commitPresentity']>) => {
          const outcome = await target.commitPresentity(...args);
          clock.advance(commitLagMs);
          return outcome;
        };
      },
    });
    agent = createPresenceAgent({
      bus, store: lagging, clock, subjects, metrics: createPresenceMetrics({ processMetrics: false }), partitionCount: PARTITIONS,
      memberId: 'agent-1', logger: silentLogger, leaseTtlMs: LEASE_MS, requestDeadlineMarginMs: MARGIN_MS,
    });
    await agent.start();
  });

  afterEach(async () => {
    await agent.stop();
    await bus.close();
    await store.close();
  });

  const publish = async (note: string, ifMatch?: string): Promise<AgentReply> =>
    decodeAgentReply(
      await bus.request(
        subjects.agent(partitionOf(ALICE, PARTITIONS)),
        encodeMessage({ v: 1, type: 'publish', presentity: ALICE, body: doc(note), contentType: 'application/pidf+xml', expires: 60, deadline: clock.now() + 1000, ...(ifMatch === undefined ? {} : { ifMatch }) }),
        { timeoutMs: 300 },
      ),
    );
  const etagOf = (reply: AgentReply): string => {
    if (reply.type !== 'published' || reply.etag === undefined) throw new Error(`expected published with an entity-tag, got ${JSON.stringify(reply)}`);
    return reply.etag;
  };

  it('agent - the publisher retrying with the entity-tag it holds lands on the same publication, not a 412 and a second one', async () => {
    const first = etagOf(await publish('seq 1'));
    commitLagMs = 2000; // past the 1000 ms deadline: the edge would have answered 503
    etagOf(await publish('seq 2', first));
    commitLagMs = 0;
    const retried = await publish('seq 3', first);
    expect(retried).toMatchObject({ type: 'published' });
    const publications = (await store.loadPresentity(ALICE)).publications;
    expect(publications).toHaveLength(1);
    expect(publications[0]!.body).toContain('seq 3');
  });

  it('agent - answered in time, the replaced entity-tag is 412 at once (RFC 3903 §6)', async () => {
    const first = etagOf(await publish('seq 1'));
    etagOf(await publish('seq 2', first));
    expect(await publish('seq 3', first)).toMatchObject({ type: 'error', status: 412 });
  });
});
