import { LocalBus } from '@presence/bus';
import {
  createSubjects,
  decodeAgentReply,
  decodeChangeEvent,
  encodeMessage,
  type AgentReply,
  type AgentRequest,
  type ChangeEvent,
} from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { politeBlockDocument } from '@presence/policy';
import { silentLogger } from '@presence/runtime';
import type { MemoryStore } from '@presence/store';
import { openMemoryStoreForTest, type StoreInspector } from '@presence/store/test-support';
import { eventually } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPresenceAgent, type PresenceAgent } from './agent.js';

const PARTITIONS = 8;
const ALICE = 'sip:alice@example.com';
const subjects = createSubjects('unit.');
const doc = (basic: string) =>
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t"><status><basic>${basic}</basic></status></tuple></presence>`;

describe('presence agent', () => {
  let clock: { now(): number; advance(ms: number): void };
  let bus: LocalBus;
  let store: MemoryStore;
  let inspect: StoreInspector;
  let agent: PresenceAgent;
  let events: ChangeEvent[];

  beforeEach(async () => {
    let time = Date.parse('2026-01-01T00:00:00Z');
    clock = { now: () => time, advance: (ms) => void (time += ms) };
    bus = new LocalBus();
    ({ store, inspect } = await openMemoryStoreForTest({ clock }));
    agent = createPresenceAgent({ bus, store, clock, subjects, partitionCount: PARTITIONS, memberId: 'agent-1', metrics: createPresenceMetrics({ processMetrics: false }), logger: silentLogger, sweepIntervalMs: 10, defaultSubHandling: 'allow' });
    await agent.start();
    events = [];
    bus.subscribe(subjects.change(partitionOf(ALICE, PARTITIONS), ALICE), (m) => void events.push(decodeChangeEvent(m.data)));
  });

  afterEach(async () => {
    await agent.stop();
    await bus.close();
    await store.close();
  });

  const ask = async (request: AgentRequest): Promise<AgentReply> =>
    decodeAgentReply(await bus.request(subjects.agent(partitionOf(ALICE, PARTITIONS)), encodeMessage(request), { timeoutMs: 1000 }));

  const publish = (fields: { body?: string; ifMatch?: string; expires: number }) =>
    ask({ v: 1, type: 'publish', presentity: ALICE, contentType: fields.body ? 'application/pidf+xml' : undefined, ...fields });

  it('agent - a publication composes the document and emits exactly one change event', async () => {
    const reply = await publish({ body: doc('open'), expires: 60 });
    expect(reply).toMatchObject({ type: 'published', expires: 60 });
    await eventually(() => expect(events).toHaveLength(1));
    expect(events[0]).toMatchObject({ presentity: ALICE, version: 1 });
    expect(events[0]!.document).toContain('<basic>open</basic>');
  });

  it('agent - every new publication gets its own 12-character entity-tag, across refills of the random block', async () => {
    const etags = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const reply = await publish({ body: doc(i % 2 === 0 ? 'open' : 'closed'), expires: 60 });
      if (reply.type !== 'published' || reply.etag === undefined) throw new Error(`no entity-tag: ${reply.type}`);
      expect(reply.etag).toMatch(/^[A-Za-z0-9_-]{12}$/);
      etags.add(reply.etag);
      // Removed again: a presentity holds a bounded number of publications.
      await publish({ ifMatch: reply.etag, expires: 0 });
    }
    expect(etags.size).toBe(500);
  });

  it('agent - a refresh changes no state and emits no event', async () => {
    const first = await publish({ body: doc('open'), expires: 60 });
    if (first.type !== 'published') throw new Error(first.type);
    const refresh = await publish({ ifMatch: first.etag, expires: 120 });
    expect(refresh).toMatchObject({ type: 'published', expires: 120 });
    await new Promise((r) => setTimeout(r, 30));
    expect(events).toHaveLength(1);
  });

  it('agent - a removal replies with the entity-tag it removed, over the codec', async () => {
    const first = await publish({ body: doc('open'), expires: 60 });
    if (first.type !== 'published') throw new Error(first.type);
    expect(await publish({ ifMatch: first.etag, expires: 0 })).toEqual({ v: 1, type: 'published', etag: first.etag, expires: 0 });
  });

  it('agent - domain errors come back as error replies with their SIP status', async () => {
    expect(await publish({ ifMatch: 'nope', expires: 60 })).toMatchObject({ type: 'error', status: 412 });
    expect(await publish({ body: '<oops', expires: 60 })).toMatchObject({ type: 'error', status: 400 });
    const reply = decodeAgentReply(await bus.request(subjects.agent(0), new TextEncoder().encode('{"v":1,"type":"nope"}'), { timeoutMs: 1000 }));
    expect(reply).toMatchObject({ type: 'error', status: 400 });
  });

  it('agent - the expiry sweep drops a lapsed publication and announces the new document', async () => {
    await publish({ body: doc('open'), expires: 60 });
    await eventually(() => expect(events).toHaveLength(1));
    clock.advance(61_000);
    await eventually(() => expect(events).toHaveLength(2));
    expect(events[1]!.document).not.toContain('<tuple');
    // Byte for byte what a politely blocked watcher is shown (libs/policy), so it cannot tell the two apart.
    expect(events[1]!.document).toBe(politeBlockDocument(ALICE));
    expect((await store.loadPresentity(ALICE)).publications).toEqual([]);
  });

  it('agent - subscribe records the watcher with its expiry and returns the state; expires 0 removes it', async () => {
    await publish({ body: doc('closed'), expires: 60 });
    const reply = await ask({ v: 1, type: 'subscribe', presentity: ALICE, subscriptionId: 's1', watcher: 'sip:bob@example.com', event: 'presence', expires: 30, edgeId: 'e1' });
    expect(reply).toMatchObject({ type: 'subscribed', status: 'active', state: { presentity: ALICE, version: 1 } });
    expect(await inspect.listWatchers(ALICE)).toMatchObject([{ subscriptionId: 's1', expiresAt: clock.now() + 30_000 }]);
    await ask({ v: 1, type: 'subscribe', presentity: ALICE, subscriptionId: 's1', watcher: 'sip:bob@example.com', event: 'presence', expires: 0, edgeId: 'e1' });
    expect(await inspect.listWatchers(ALICE)).toEqual([]);
  });

  it('agent - a lapsed watcher is removed by the sweep', async () => {
    const reply = await ask({ v: 1, type: 'subscribe', presentity: ALICE, subscriptionId: 's2', watcher: 'sip:bob@example.com', event: 'presence', expires: 30, edgeId: 'e1' });
    // Never published: the offline document, the same a politely blocked watcher is shown.
    expect(reply).toMatchObject({ type: 'subscribed', state: { document: politeBlockDocument(ALICE) } });
    clock.advance(31_000);
    await eventually(async () => expect(await inspect.listWatchers(ALICE)).toEqual([]));
  });

  it('agent - a concurrent change by another owner is retried on the new revision, not lost', async () => {
    await agent.stop();
    let injected = false;
    // Another process commits between this agent's load and its compare-and-set (overlapping ownership).
    const racingStore: MemoryStore = Object.create(store, {
      commitPresentity: {
        value: async (change: Parameters<MemoryStore['commitPresentity']>[0]) => {
          if (!injected) {
            injected = true;
            const foreign = { etag: 'foreign', expiresAt: clock.now() + 60_000, publishedAt: clock.now(), contentType: 'application/pidf+xml', body: doc('closed').replace('id="t"', 'id="f"') };
            await store.commitPresentity({ ...change, publications: [foreign], document: 'foreign', documentChanged: true });
          }
          return store.commitPresentity(change);
        },
      },
    });
    agent = createPresenceAgent({ bus, store: racingStore, clock, subjects, partitionCount: PARTITIONS, memberId: 'agent-1', metrics: createPresenceMetrics({ processMetrics: false }), logger: silentLogger });
    await agent.start();
    expect(await publish({ body: doc('open'), expires: 60 })).toMatchObject({ type: 'published' });
    const state = await store.loadPresentity(ALICE);
    expect(injected).toBe(true);
    expect(state.publications).toHaveLength(2);
    expect(state.document).toContain('id="f"');
    expect(state.document).toContain('id="t"');
    await eventually(() => expect(events.at(-1)?.version).toBe(state.version));
  });

  it('agent - drain releases every lease and the membership, answers no more requests, and stays drained', async () => {
    expect(agent.ownedPartitions()).toHaveLength(PARTITIONS);
    expect(agent.draining).toBe(false);
    const released = await agent.drain();
    expect(released).toEqual([...Array(PARTITIONS).keys()]);
    expect(agent.draining).toBe(true);
    expect(agent.ownedPartitions()).toEqual([]);
    expect(await store.liveMembers()).toEqual([]);
    for (let p = 0; p < PARTITIONS; p++) expect(await inspect.leaseHolder(p)).toBeUndefined();
    // Nobody serves the partition now: the request finds no responder.
    await expect(publish({ body: doc('open'), expires: 60 })).rejects.toThrow();
    // A second drain gives nothing back: nothing was taken again.
    expect(await agent.drain()).toEqual([]);
    expect(await store.leaseHolders(PARTITIONS)).toEqual(Array(PARTITIONS).fill(undefined));
  });
});
