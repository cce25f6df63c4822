import { LocalBus } from '@presence/bus';
import { createSubjects, type PresentitySnapshot, type SubscribeCommand, type SubscribedReply } from '@presence/contracts';
import type { XcapDocumentStore } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import type { OutgoingRequest, SipResponse } from '@presence/sip';
import { FakeClock } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import { Notifier } from '../egress/notifier.js';
import { PresentityInterest } from '../egress/presentity-interest.js';
import { ListBodies } from './list-bodies.js';
import { ListDirectory } from './list-directory.js';
import { ListSubscriptions, RESOURCE_LIST_VIEW } from './list-subscriptions.js';

const WATCHER = 'sip:w@example.com';
const LIST = 'sip:adhoc@example.com';
const members = ['sip:m1@example.com', 'sip:m2@example.com', 'sip:m3@example.com'];
const body = `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${members.map((m) => `<entry uri="${m}"/>`).join('')}</list></resource-lists>`;
const snapshot = (presentity: string, version: number): PresentitySnapshot => ({ presentity, version, incarnation: 'i', document: `<presence entity="${presentity}" v="${version}"/>` });

/** The pieces of one edge's list package, on a fake clock, with agents answering active and every NOTIFY recorded. */
function setup(minIntervalMs: number) {
  const clock = new FakeClock();
  const bus = new LocalBus();
  const metrics = createPresenceMetrics({ processMetrics: false });
  const interest = new PresentityInterest(bus, createSubjects(), 16, metrics, silentLogger);
  const asked: Omit<SubscribeCommand, 'v' | 'type'>[] = [];
  const agent = {
    subscribe: async (fields: Omit<SubscribeCommand, 'v' | 'type'>): Promise<SubscribedReply> => {
      asked.push(fields);
      return { v: 1, type: 'subscribed', status: 'active', viewKey: '', expires: fields.expires, state: snapshot(fields.presentity, 1) };
    },
    unsubscribe: async () => undefined,
  };
  const directory = new ListDirectory({} as XcapDocumentStore, 1000, clock);
  const lists = new ListSubscriptions({ directory, agent, interest, serves: () => true, edgeId: 'e1', clock, logger: silentLogger });
  const sent: string[] = [];
  const sender = {
    sendRequest: async (request: OutgoingRequest) => {
      sent.push(Buffer.from(request.body as Uint8Array).toString('utf8'));
      return { status: 200 } as SipResponse;
    },
  };
  const notifier = new Notifier({ sender, bodies: new ListBodies(lists, interest), clock, minIntervalMs, metrics, logger: silentLogger });
  lists.notifier = notifier;
  return { clock, bus, interest, lists, notifier, sent, asked, metrics };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const rlmiOf = (sent: string) => /<list [^>]*version="(\d+)" fullState="(\w+)"/.exec(sent)!.slice(1).join(' ');
const resourcesOf = (sent: string) => [...sent.matchAll(/<resource uri="([^"]+)"/g)].map((m) => m[1]);

describe('list subscriptions (RFC 4662 at the edge)', () => {
  const buses: LocalBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('lists - one back-end subscription per member with the list subscriber as watcher; unsubscribing releases every member interest', async () => {
    const { bus, interest, lists, asked } = setup(0);
    buses.push(bus);
    const decision = await lists.subscribe({ presentity: LIST, subscriptionId: 'd1', watcher: WATCHER, event: 'presence', expires: 600, edgeId: 'e1', initial: true }, body);
    expect(decision).toEqual({ status: 'active', viewKey: RESOURCE_LIST_VIEW, state: { presentity: LIST } });
    expect(asked.map((a) => [a.presentity, a.watcher, a.initial])).toEqual(members.map((m) => [m, WATCHER, true]));
    expect(new Set(asked.map((a) => a.subscriptionId)).size).toBe(3);
    expect(interest.size).toBe(3);
    expect(lists.memberCount).toBe(3);
    await lists.subscribe({ presentity: LIST, subscriptionId: 'd1', watcher: WATCHER, event: 'presence', expires: 0, edgeId: 'e1' });
    expect(asked.slice(3).map((a) => a.expires)).toEqual([0, 0, 0]);
    expect(interest.size).toBe(0);
    expect(lists.memberCount).toBe(0);
  });

  it('lists - coalescing (--notify-min-interval): changes of three members within the interval go out as one partial NOTIFY carrying all three', async () => {
    const { clock, bus, interest, lists, notifier, sent } = setup(1000);
    buses.push(bus);
    await lists.subscribe({ presentity: LIST, subscriptionId: 'd1', watcher: WATCHER, event: 'presence', expires: 600, edgeId: 'e1', initial: true }, body);
    const dialog = testDialog({ id: 'd1', presentity: LIST, expiresAt: clock.now() + 600_000 });
    dialog.startAs('active', RESOURCE_LIST_VIEW);
    notifier.notifyNow(dialog);
    await settle();
    expect(sent.map(rlmiOf)).toEqual(['0 true']);
    expect(resourcesOf(sent[0]!)).toEqual(members);

    for (const member of members) {
      interest.apply(snapshot(member, 2));
      lists.onMemberChanged(member);
      await settle();
    }
    expect(sent).toHaveLength(1);
    clock.advance(1000);
    await settle();
    expect(sent.map(rlmiOf)).toEqual(['0 true', '1 false']);
    expect(resourcesOf(sent[1]!)).toEqual(members);
    expect(sent[1]).toContain('v="2"');
  });

  it('lists - a list whose dialog never sent a NOTIFY (the registry failed after asking) is ended when a later list is built 30 s on', async () => {
    const { clock, bus, interest, lists } = setup(0);
    buses.push(bus);
    const fields = (id: string) => ({ presentity: LIST, subscriptionId: id, watcher: WATCHER, event: 'presence', expires: 600, edgeId: 'e1', initial: true });
    await lists.subscribe(fields('orphan'), body);
    clock.advance(29_000);
    await lists.subscribe(fields('d2'), body);
    expect(lists.get('orphan')).toBeDefined();
    clock.advance(1_000);
    await lists.subscribe(fields('d3'), body);
    expect(lists.get('orphan')).toBeUndefined();
    expect(lists.memberCount).toBe(6);
    expect(interest.size).toBe(3);
  });

  it('lists - past the members one edge may hold across its lists, a new list is 503 with Retry-After; a refresh of a held one passes', async () => {
    const { clock, bus, interest } = setup(0);
    buses.push(bus);
    const agent = { subscribe: async (f: Omit<SubscribeCommand, 'v' | 'type'>): Promise<SubscribedReply> => ({ v: 1, type: 'subscribed', status: 'active', viewKey: '', expires: f.expires, state: snapshot(f.presentity, 1) }), unsubscribe: async () => undefined };
    const lists = new ListSubscriptions({ directory: new ListDirectory({} as XcapDocumentStore, 1000, clock), agent, interest, serves: () => true, edgeId: 'e1', clock, logger: silentLogger, maxHeldMembers: 5 });
    const fields = (id: string, expires = 600) => ({ presentity: LIST, subscriptionId: id, watcher: WATCHER, event: 'presence', expires, edgeId: 'e1', initial: true });
    await lists.subscribe(fields('d1'), body);
    const refused = await lists.subscribe(fields('d2'), body).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 503, retryAfterSeconds: 30 });
    await expect(lists.subscribe({ ...fields('d1'), initial: false })).resolves.toMatchObject({ status: 'active' });
  });
});
