import { LocalBus } from '@presence/bus';
import { createSubjects, decodeAgentReply, decodeWatcherInfoEvent, encodeMessage, type AgentReply, type AgentRequest, type WatcherInfoEvent } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import type { MemoryStore } from '@presence/store';
import { openMemoryStoreForTest } from '@presence/store/test-support';
import { eventually } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPresenceAgent, type PresenceAgent } from './agent.js';

const PARTITIONS = 8;
const ALICE = 'sip:alice@example.com';
const subjects = createSubjects('winfo.');
const partition = partitionOf(ALICE, PARTITIONS);

/** The agent's watcher feed (RFC 3857 §3.2.4 events) as an edge holding a winfo dialog for alice receives it. */
describe('presence agent - watcher information feed', () => {
  let time: number;
  let bus: LocalBus;
  let store: MemoryStore;
  let agent: PresenceAgent;
  let feed: WatcherInfoEvent[];

  beforeEach(async () => {
    time = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => time };
    bus = new LocalBus();
    ({ store } = await openMemoryStoreForTest({ clock }));
    agent = createPresenceAgent({ bus, store, clock, subjects, partitionCount: PARTITIONS, memberId: 'agent-1', metrics: createPresenceMetrics({ processMetrics: false }), logger: silentLogger, sweepIntervalMs: 10, defaultSubHandling: 'allow' });
    await agent.start();
    feed = [];
    bus.subscribe(subjects.watcherInfo(partition, ALICE), (m) => void feed.push(decodeWatcherInfoEvent(m.data)));
  });

  afterEach(async () => {
    await agent.stop();
    await bus.close();
    await store.close();
  });

  const ask = async (request: AgentRequest): Promise<AgentReply> => decodeAgentReply(await bus.request(subjects.agent(partition), encodeMessage(request), { timeoutMs: 1000 }));
  const subscribe = (id: string, expires: number, event = 'presence') => ask({ v: 1, type: 'subscribe', presentity: ALICE, subscriptionId: id, watcher: `sip:${id}@example.com`, event, expires, edgeId: 'edge-1' });
  const watchers = async (limit = 10) => {
    const reply = await ask({ v: 1, type: 'watchers', presentity: ALICE, limit });
    if (reply.type !== 'watchers') throw new Error(`expected watchers, got ${JSON.stringify(reply)}`);
    return reply;
  };
  const summary = () => feed.map((e) => `${e.watcher.watcher}:${e.watcher.status}:${e.watcher.event}`);

  it('winfo feed - a new watcher is subscribe, a refresh nothing, an unsubscribe timeout; each event names the one before', async () => {
    await subscribe('bob', 600);
    await subscribe('bob', 600);
    await subscribe('carol', 600, 'presence.winfo');
    await subscribe('bob', 0);
    await eventually(() => expect(summary()).toEqual(['sip:bob@example.com:active:subscribe', 'sip:bob@example.com:terminated:timeout']));
    const [first, second] = feed;
    expect(first!.feed.previous).toBe(0);
    expect(second!.feed.previous).toBe(first!.feed.seq);
    expect(second!.feed.epoch).toBe(first!.feed.epoch);
    expect(second!.watcher).toMatchObject({ id: 'bob', expiresAt: 0 });
  });

  it('winfo feed - the edge says why a subscription ended: expired is timeout, a failed NOTIFY deactivated', async () => {
    await subscribe('bob', 600);
    await subscribe('dave', 600);
    await ask({ v: 1, type: 'unsubscribe', presentity: ALICE, subscriptionId: 'bob', reason: 'expired' });
    await ask({ v: 1, type: 'unsubscribe', presentity: ALICE, subscriptionId: 'dave', reason: 'notify-failed' });
    await ask({ v: 1, type: 'unsubscribe', presentity: ALICE, subscriptionId: 'dave', reason: 'notify-failed' });
    await eventually(() => expect(summary().slice(2)).toEqual(['sip:bob@example.com:terminated:timeout', 'sip:dave@example.com:terminated:deactivated']));
  });

  it('winfo feed - the expiry sweep announces a lapsed watcher: timeout when it was active, giveup while pending', async () => {
    await subscribe('bob', 60);
    await store.putWatcher(partition, { presentity: ALICE, subscriptionId: 'erin', watcher: 'sip:erin@example.com', event: 'presence', status: 'pending', edgeId: 'edge-1', expiresAt: time + 60_000 });
    time += 61_000;
    await eventually(() => expect(summary().slice(1).sort()).toEqual(['sip:bob@example.com:terminated:timeout', 'sip:erin@example.com:terminated:giveup']));
  });

  it('winfo full state - the presence watchers still live, at the feed position of the last event; more than the limit is 500 naming the count', async () => {
    await subscribe('bob', 600);
    await subscribe('carol', 600);
    await subscribe('carol', 0);
    await subscribe('frank', 600, 'presence.winfo');
    await eventually(() => expect(feed).toHaveLength(3));
    const full = await watchers();
    expect(full.watchers).toEqual([{ id: 'bob', watcher: 'sip:bob@example.com', status: 'active', event: 'subscribe', expiresAt: time + 600_000 }]);
    expect(full.feed).toEqual({ epoch: feed[2]!.feed.epoch, seq: feed[2]!.feed.seq });
    await subscribe('gina', 600);
    expect(await ask({ v: 1, type: 'watchers', presentity: ALICE, limit: 1 })).toMatchObject({ type: 'error', status: 500, reason: expect.stringMatching(/Watcher list too long .*\(3 subscriptions, limit 1\)/) });
  });
});
