import { LocalBus } from '@presence/bus';
import {
  createSubjects,
  decodeAgentReply,
  decodeAuthorizationChange,
  decodeChangeEvent,
  decodeWatcherInfoEvent,
  encodeMessage,
  POLITE_BLOCK_VIEW,
  type AgentReply,
  type AgentRequest,
  type AuthorizationChange,
  type ChangeEvent,
  type SubscribeCommand,
  type WatcherInfoEvent,
  type XcapChangeEvent,
} from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { politeBlockDocument, presRulesRef, renderPresRules, type SimpleRule, type SubHandling } from '@presence/policy';
import { silentLogger } from '@presence/runtime';
import type { MemoryStore } from '@presence/store';
import { openMemoryStoreForTest } from '@presence/store/test-support';
import { eventually } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createPresenceAgent, type PresenceAgent } from '../agent.js';

const PARTITIONS = 4;
const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';
const EVE = 'sip:eve@other.org';
const subjects = createSubjects('unit.');
const clock = { now: () => Date.now() };
const doc = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="w"><status><basic>open</basic></status><class xmlns="urn:ietf:params:xml:ns:pidf:rpid">business</class></tuple><tuple id="h"><status><basic>closed</basic></status><class xmlns="urn:ietf:params:xml:ns:pidf:rpid">home</class></tuple></presence>`;

describe('agent authorization (pres-rules)', () => {
  let bus: LocalBus;
  let store: MemoryStore;
  let agent: PresenceAgent;
  /** The agent's winfo feed (RFC 3857 §3.2.4) for alice, as an edge holding her presence.winfo dialog hears it. */
  const feed: WatcherInfoEvent[] = [];

  async function start(defaultSubHandling?: SubHandling): Promise<void> {
    bus = new LocalBus();
    ({ store } = await openMemoryStoreForTest({ clock }));
    feed.length = 0;
    agent = createPresenceAgent({
      bus,
      store,
      clock,
      subjects,
      partitionCount: PARTITIONS,
      memberId: 'agent-1',
      metrics: createPresenceMetrics({ processMetrics: false }),
      logger: silentLogger,
      ...(defaultSubHandling === undefined ? {} : { defaultSubHandling }),
    });
    bus.subscribe(subjects.watcherInfo(partitionOf(ALICE, PARTITIONS), ALICE), (m) => void feed.push(decodeWatcherInfoEvent(m.data)));
    await agent.start();
  }

  afterEach(async () => {
    await agent.stop();
    await bus.close();
    await store.close();
  });

  const ask = async (request: AgentRequest): Promise<AgentReply> =>
    decodeAgentReply(await bus.request(subjects.agent(partitionOf(ALICE, PARTITIONS)), encodeMessage(request), { timeoutMs: 2000 }));
  const subscribe = (watcher: string, id: string, extra: Partial<SubscribeCommand> = {}) =>
    ask({ v: 1, type: 'subscribe', presentity: ALICE, subscriptionId: id, watcher, event: 'presence', expires: 60, edgeId: 'edge-a', ...extra });
  const publish = () => ask({ v: 1, type: 'publish', presentity: ALICE, contentType: 'application/pidf+xml', body: doc, expires: 60 });

  /** What the XCAP server does: write the document through the store, then announce it. */
  async function writeRules(rules: SimpleRule[] | string): Promise<void> {
    const outcome = await store.putXcapDocument(presRulesRef(ALICE), typeof rules === 'string' ? rules : renderPresRules(rules));
    if (!outcome.ok) throw new Error('rules not written');
    const event: XcapChangeEvent = { v: 1, type: 'xcap-change', auid: 'pres-rules', scope: 'users', owner: ALICE, filename: 'index', etag: outcome.etag, changedAt: Date.now() };
    bus.publish(subjects.xcapChange('pres-rules'), encodeMessage(event));
  }

  function edgeMessages(): AuthorizationChange[] {
    const received: AuthorizationChange[] = [];
    bus.subscribe(subjects.edgeAuthorization('edge-a'), (m) => void received.push(decodeAuthorizationChange(m.data)));
    return received;
  }

  it('agent authz - default confirm: a new watcher is pending without state shown; the presentity itself is active', async () => {
    await start();
    await publish();
    expect(await subscribe(BOB, 's1', { initial: true })).toMatchObject({ type: 'subscribed', status: 'pending' });
    await eventually(() => expect(feed).toMatchObject([{ watcher: { id: 's1', watcher: BOB, status: 'pending', event: 'subscribe' } }]));
    expect(await subscribe(ALICE, 's2', { initial: true })).toMatchObject({ status: 'active', viewKey: '' });
  });

  it('agent authz - default block answers a new SUBSCRIBE 403 and records nothing; default allow shows the whole document', async () => {
    await start('block');
    expect(await subscribe(BOB, 's1', { initial: true })).toMatchObject({ type: 'error', status: 403 });
    expect((await store.watchersOf(ALICE, 10)).items).toEqual([]);
    await agent.stop();
    await start('allow');
    expect(await subscribe(BOB, 's1', { initial: true })).toMatchObject({ status: 'active', viewKey: '' });
  });

  it('agent authz - a rule change re-decides live watchers: the pending one is told active with its view, the blocked one rejected and removed', async () => {
    await start();
    await publish();
    const received = edgeMessages();
    await subscribe(BOB, 'bob-1', { initial: true });
    await subscribe(EVE, 'eve-1', { initial: true });
    await writeRules([
      { id: 'work', domain: 'example.com', subHandling: 'allow', provide: { serviceClasses: ['business'] } },
      { id: 'no-eve', ids: [EVE], subHandling: 'block' },
    ]);
    await eventually(() => expect(received).toHaveLength(2));
    const bob = received.find((c) => c.subscriptionId === 'bob-1')!;
    expect(bob).toMatchObject({ status: 'active' });
    const view = bob.state.views?.[bob.viewKey];
    expect(view).toContain('id="w"');
    expect(view).not.toContain('id="h"');
    expect(received.find((c) => c.subscriptionId === 'eve-1')).toMatchObject({ status: 'terminated', reason: 'rejected' });
    expect((await store.watchersOf(ALICE, 10)).items).toMatchObject([{ subscriptionId: 'bob-1', status: 'active' }]);
    await eventually(() => expect(feed.map((e) => `${e.watcher.id} ${e.watcher.status} ${e.watcher.event}`).sort()).toEqual(['bob-1 active approved', 'bob-1 pending subscribe', 'eve-1 pending subscribe', 'eve-1 terminated rejected']));
  });

  it('agent authz - sphere (RFC 4745 §7.2): a PUBLISH moving the sphere re-decides the watchers, one keeping it does not', async () => {
    await start();
    await writeRules(
      '<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">' +
        `<cr:rule id="at-work"><cr:conditions><cr:identity><cr:one id="${BOB}"/></cr:identity><cr:sphere value="work"/></cr:conditions>` +
        '<cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions></cr:rule></cr:ruleset>',
    );
    const inSphere = (sphere: string, note: string) =>
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${ALICE}"><tuple id="t"><status><basic>open</basic></status><note>${note}</note></tuple><dm:person id="p"><rpid:sphere><rpid:${sphere}/></rpid:sphere></dm:person></presence>`;
    const publishIn = (sphere: string, note: string) => ask({ v: 1, type: 'publish', presentity: ALICE, contentType: 'application/pidf+xml', body: inSphere(sphere, note), expires: 60 });
    await publishIn('home', 'one');
    const received = edgeMessages();
    expect(await subscribe(BOB, 'bob-1', { initial: true })).toMatchObject({ status: 'pending' });
    await publishIn('home', 'two');
    await publishIn('work', 'three');
    await eventually(() => expect(received).toHaveLength(1));
    expect(received[0]).toMatchObject({ subscriptionId: 'bob-1', status: 'active' });
    expect(received[0]!.state.document).toContain('three');
    expect((await store.watchersOf(ALICE, 10)).items).toMatchObject([{ subscriptionId: 'bob-1', status: 'active' }]);
    // A refresh in sphere work stays active; the decision on SUBSCRIBE reads the sphere too.
    expect(await subscribe(BOB, 'bob-1')).toMatchObject({ status: 'active' });
  });

  it('agent authz - one render per version per distinct view: the change event carries each restricted view once, rebuilt after a restart', async () => {
    await start();
    await writeRules([{ id: 'work', domain: 'example.com', subHandling: 'allow', provide: { serviceClasses: ['business'] } }]);
    await subscribe(BOB, 'bob-1', { initial: true });
    await subscribe('sip:carol@example.com', 'carol-1', { initial: true });
    const events: ChangeEvent[] = [];
    bus.subscribe(subjects.change(partitionOf(ALICE, PARTITIONS), ALICE), (m) => void events.push(decodeChangeEvent(m.data)));
    await publish();
    await eventually(() => expect(events).toHaveLength(1));
    expect(Object.keys(events[0]!.views ?? {})).toHaveLength(1);
    // A new agent (ownership moved) knows the views from the store.
    await agent.stop();
    agent = createPresenceAgent({ bus, store, clock, subjects, partitionCount: PARTITIONS, memberId: 'agent-2', metrics: createPresenceMetrics({ processMetrics: false }), logger: silentLogger });
    await agent.start();
    await ask({ v: 1, type: 'publish', presentity: ALICE, contentType: 'application/pidf+xml', body: doc.replace('open', 'closed'), expires: 60 });
    await eventually(() => expect(events).toHaveLength(2));
    expect(Object.values(events[1]!.views ?? {})[0]).toContain('id="w"');
  });

  it('agent authz - polite-block: active with the polite-block view; a refresh re-reads the rules (a lost announcement is corrected)', async () => {
    await start();
    await publish();
    await store.putXcapDocument(presRulesRef(ALICE), renderPresRules([{ id: 'quiet', ids: [BOB], subHandling: 'polite-block' }]));
    const reply = await subscribe(BOB, 'bob-1', { initial: true });
    expect(reply).toMatchObject({ status: 'active', viewKey: POLITE_BLOCK_VIEW });
    expect(politeBlockDocument(ALICE)).not.toContain('<tuple');
    // Rules changed without an announcement: the refresh decides on the new document.
    await store.putXcapDocument(presRulesRef(ALICE), renderPresRules([{ id: 'open', ids: [BOB], subHandling: 'allow', provide: 'everything' }]));
    expect(await subscribe(BOB, 'bob-1')).toMatchObject({ status: 'active', viewKey: '' });
    await store.putXcapDocument(presRulesRef(ALICE), renderPresRules([{ id: 'no', ids: [BOB], subHandling: 'block' }]));
    expect(await subscribe(BOB, 'bob-1')).toMatchObject({ status: 'terminated', reason: 'rejected' });
    await eventually(() => expect(feed.at(-1)).toMatchObject({ watcher: { id: 'bob-1', status: 'terminated', event: 'rejected' } }));
    expect((await store.watchersOf(ALICE, 10)).items).toEqual([]);
  });
});
