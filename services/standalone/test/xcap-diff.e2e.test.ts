import { LocalBus } from '@presence/bus';
import { createSubjects, encodeMessage } from '@presence/contracts';
import { systemClock, type XcapDocumentRef } from '@presence/core';
import { createMemoryStore, type MemoryStore } from '@presence/store';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetSession } from './standalone-target.js';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';
const RESOURCE_LISTS = 'application/resource-lists+xml';
const lists = (...uris: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${uris.map((u) => `<entry uri="${u}"/>`).join('')}</list></resource-lists>`;
const doc = (auid: string, owner: string, filename = 'index'): XcapDocumentRef => ({ auid, scope: 'users', owner, filename });

/**
 * xcap-diff subscriptions (RFC 5875) through real sockets: the documents a
 * user names in the SUBSCRIBE are listed with their entity tags, then each
 * change announced on xcap.<auid> (as the XCAP server announces it, here
 * published by the test beside a store write) is notified with both tags,
 * a deletion with the previous one only; other users' documents are refused.
 */
describe('xcap-diff', () => {
  let store: MemoryStore | undefined;
  const session = new TargetSession();
  afterEach(() => session.stop());

  async function start() {
    store = await createMemoryStore({ clock: systemClock });
    const bus = new LocalBus();
    await session.start({ store, bus });
    const subjects = createSubjects();
    const ua = (aor: string) => session.ua(aor);
    // What the XCAP server does for each change: write, then announce (previous and new entity tags).
    const put = async (ref: XcapDocumentRef, body: string) => {
      const previous = await store!.xcapDocument(ref);
      const outcome = await store!.putXcapDocument(ref, body);
      if (!outcome.ok) throw new Error('put failed');
      bus.publish(subjects.xcapChange(ref.auid), encodeMessage({ v: 1, type: 'xcap-change', ...ref, ...(previous ? { previousEtag: previous.etag } : {}), etag: outcome.etag, changedAt: Date.now() }));
      return outcome.etag;
    };
    const remove = async (ref: XcapDocumentRef) => {
      const previous = await store!.xcapDocument(ref);
      await store!.deleteXcapDocument(ref);
      bus.publish(subjects.xcapChange(ref.auid), encodeMessage({ v: 1, type: 'xcap-change', ...ref, previousEtag: previous!.etag, changedAt: Date.now() }));
    };
    return { ua, put, remove };
  }

  it("xcap-diff - full state lists the watched documents' etags; a change carries both etags, a deletion the previous one, unwatched documents nothing", async () => {
    const { ua, put, remove } = await start();
    const rules = await store!.putXcapDocument(doc('pres-rules', ALICE), '<ruleset/>');
    const buddies = await store!.putXcapDocument(doc('resource-lists', ALICE), '<resource-lists/>');
    if (!rules.ok || !buddies.ok) throw new Error('seed failed');
    const alice = await ua(ALICE);
    const { response, dialog } = await alice.subscribe(ALICE, {
      event: 'xcap-diff',
      expires: 600,
      headers: { 'Content-Type': RESOURCE_LISTS },
      body: lists(`pres-rules/users/${ALICE}/index`, `resource-lists/users/${encodeURIComponent(ALICE)}/`, 'xcap-caps/global/index'),
    });
    expect(response.status).toBe(200);
    const first = await dialog.nextNotify();
    expect(first.header('event')).toBe('xcap-diff');
    expect(first.contentType).toBe('application/xcap-diff+xml');
    expect(first.body).toContain('xcap-root="/xcap-root"');
    expect(first.body).toContain(`<document sel="pres-rules/users/${ALICE}/index" new-etag="${rules.etag}"/>`);
    expect(first.body).toContain(`<document sel="resource-lists/users/${ALICE}/index" new-etag="${buddies.etag}"/>`);

    await put(doc('pres-rules', BOB), '<ruleset/>');
    const changed = await put(doc('pres-rules', ALICE), '<ruleset><rule id="a"/></ruleset>');
    const change = await dialog.nextNotify();
    expect(change.body).toContain(`<document sel="pres-rules/users/${ALICE}/index" previous-etag="${rules.etag}" new-etag="${changed}"/>`);
    expect(change.body).not.toContain(BOB);

    await remove(doc('resource-lists', ALICE));
    const deleted = await dialog.nextNotify();
    expect(deleted.body).toContain(`<document sel="resource-lists/users/${ALICE}/index" previous-etag="${buddies.etag}"/>`);

    expect((await dialog.unsubscribe()).status).toBe(200);
    const final = await dialog.nextNotify();
    expect(final.header('subscription-state')).toMatch(/^terminated/);
    expect(final.body).toContain(`new-etag="${changed}"`);
    expect(final.body).not.toContain('resource-lists/users');
  });

  it("xcap-diff - another user's documents are 403, a body that names nothing 400, no resource-lists body 415", async () => {
    const { ua } = await start();
    const alice = await ua(ALICE);
    const xcapDiff = (body: string, contentType = RESOURCE_LISTS) => alice.subscribe(ALICE, { event: 'xcap-diff', headers: { 'Content-Type': contentType }, body });
    const foreign = await xcapDiff(lists(`pres-rules/users/${BOB}/index`));
    expect(foreign.response.status).toBe(403);
    expect(foreign.response.reason).toMatch(/another user's documents/);
    const empty = await xcapDiff(lists());
    expect(empty.response.status).toBe(400);
    expect(empty.response.reason).toMatch(/no <entry> names an XCAP resource/);
    const plain = await xcapDiff('pres-rules/users/x/index', 'text/plain');
    expect(plain.response.status).toBe(415);
    expect(plain.response.header('accept')).toBe(RESOURCE_LISTS);
  });
});
