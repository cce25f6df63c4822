import { LocalBus } from '@presence/bus';
import { createSubjects, decodeChangeEvent, type ChangeEvent } from '@presence/contracts';
import { applyPublish, ConditionalRequestFailedError, type PresentityState, type PresentityStore } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { createMemoryStore, type MemoryStore } from '@presence/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangePublisher } from '../fanout/change-publisher.js';
import { DocumentComposer } from './document-composer.js';
import { PresentityUpdater, rememberedStateWeight } from './presentity-updater.js';

const ALICE = 'sip:alice@example.com';
const body = (basic: string) =>
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t"><status><basic>${basic}</basic></status></tuple></presence>`;

/** Counts the store reads the updater makes. */
function countingLoads(store: PresentityStore): { store: PresentityStore; loads: () => number } {
  let loads = 0;
  const counted: PresentityStore = Object.create(store) as PresentityStore;
  counted.loadPresentity = (presentity) => {
    loads++;
    return store.loadPresentity(presentity);
  };
  return { store: counted, loads: () => loads };
}

describe('PresentityUpdater', () => {
  const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') };
  let bus: LocalBus;
  let store: MemoryStore;

  beforeEach(async () => {
    bus = new LocalBus();
    store = await createMemoryStore({ clock });
  });

  afterEach(async () => {
    await bus.close();
    await store.close();
  });

  const updaterOn = (target: PresentityStore) =>
    new PresentityUpdater(target, new DocumentComposer(), new ChangePublisher(bus, createSubjects('unit.'), createPresenceMetrics({ processMetrics: false })), clock, createPresenceMetrics({ processMetrics: false }));

  let etagCount = 0;
  const publish = (updater: PresentityUpdater, fields: { body?: string; ifMatch?: string }) =>
    updater.update(ALICE, 0, (state: PresentityState, now) => {
      const result = applyPublish(state.publications, { ...fields, contentType: fields.body ? 'application/pidf+xml' : undefined, expires: 60 }, now, () => `e${++etagCount}`);
      return { publications: result.publications, result };
    });

  it('PresentityUpdater - the change event carries the store incarnation of the version it announces', async () => {
    const events: ChangeEvent[] = [];
    bus.subscribe(createSubjects('unit.').change(0, ALICE), (message) => void events.push(decodeChangeEvent(message.data)));
    await publish(updaterOn(store), { body: body('open') });
    await bus.close();
    const stored = await store.loadPresentity(ALICE);
    expect(stored.incarnation).not.toBe('');
    expect(events.map((e) => [e.incarnation, e.version])).toEqual([[stored.incarnation, 1]]);
  });

  it('PresentityUpdater - a change after one it committed needs no store read', async () => {
    const counted = countingLoads(store);
    const updater = updaterOn(counted.store);
    const first = await publish(updater, { body: body('open') });
    await publish(updater, { body: body('closed'), ifMatch: first.etag });
    await publish(updater, { ifMatch: (await store.loadPresentity(ALICE)).publications[0]!.etag });
    expect(counted.loads()).toBe(1);
    expect((await store.loadPresentity(ALICE)).document).toContain('<basic>closed</basic>');
  });

  it('PresentityUpdater - a change made by another agent meanwhile is kept: the stale remembered state only costs a retry', async () => {
    const mine = updaterOn(store);
    const theirs = updaterOn(store);
    const initial = await publish(mine, { body: body('open') });
    const modified = await publish(theirs, { body: body('closed'), ifMatch: initial.etag });
    // Our remembered state still holds the initial entity-tag; the store knows only the modified one.
    await expect(publish(mine, { ifMatch: initial.etag })).rejects.toBeInstanceOf(ConditionalRequestFailedError);
    const refreshed = await publish(mine, { ifMatch: modified.etag });
    expect(refreshed.etag).toBeDefined();
    const stored = await store.loadPresentity(ALICE);
    expect(stored.publications).toHaveLength(1);
    expect(stored.document).toContain('<basic>closed</basic>');
  });

  it('PresentityUpdater - a second publication made elsewhere is composed in, not overwritten', async () => {
    const mine = updaterOn(store);
    const theirs = updaterOn(store);
    const one = await publish(mine, { body: body('open') });
    await publish(theirs, { body: body('closed') });
    await publish(mine, { body: body('open'), ifMatch: one.etag });
    expect((await store.loadPresentity(ALICE)).publications).toHaveLength(2);
  });

  // The soak (npm run soak) replaces presentities over time: remembering each one's empty state grew the agent for hours.
  it('PresentityUpdater - a presentity left without publications is not remembered: its next PUBLISH reads the store', async () => {
    const counted = countingLoads(store);
    const updater = updaterOn(counted.store);
    const first = await publish(updater, { body: body('open') });
    await updater.update(ALICE, 0, (state, now) => {
      const result = applyPublish(state.publications, { ifMatch: first.etag, contentType: undefined, expires: 0 }, now, () => 'removed');
      return { publications: result.publications, result };
    });
    expect((await store.loadPresentity(ALICE)).publications).toHaveLength(0);
    const loadsBefore = counted.loads();
    await publish(updater, { body: body('closed') });
    expect(counted.loads()).toBe(loadsBefore + 1);
    expect((await store.loadPresentity(ALICE)).document).toContain('<basic>closed</basic>');
  });

  it('PresentityUpdater - a remembered state weighs its document and bodies', () => {
    const state: PresentityState = { presentity: ALICE, revision: 1, version: 1, incarnation: 'i', document: 'd'.repeat(100), publications: [] };
    expect(rememberedStateWeight(state)).toBe(612);
  });
});
