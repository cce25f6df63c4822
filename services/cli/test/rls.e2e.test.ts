import { Children, createTestUa, eventually, freePort, freeUdpTcpPort, metricValue, startPresenceProcess, type PresenceProcess, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf, WatcherInfoView } from '@presence/testkit/behaviour';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entries, LIST_HEADERS, listUri, parseListNotify, resourceLists, rlsServices } from './rls-kit.js';

const DOMAIN = 'example.com';
const ALICE = `sip:alice@${DOMAIN}`;

const member = (n: number) => `sip:m${n}@${DOMAIN}`;

describe('resource lists (RFC 4662 / RFC 5367) over real sockets, lists edited over XCAP (standalone --xcap-listen)', () => {
  const children = new Children();
  const uas: TestUa[] = [];
  let server: PresenceProcess;
  let sip: number;
  let xcapBase: string;

  async function ua(aor: string, transport: 'udp' | 'tcp' = 'udp'): Promise<TestUa> {
    const created = await createTestUa({ transport, server: { host: '127.0.0.1', port: sip }, aor, maxMessageBytes: 256 * 1024 });
    uas.push(created);
    return created;
  }

  async function put(auid: string, owner: string, type: string, document: string): Promise<void> {
    const response = await fetch(`${xcapBase}/${auid}/users/${owner}/index`, { method: 'PUT', headers: { 'content-type': type }, body: document });
    expect([200, 201], await response.text()).toContain(response.status);
  }
  const putLists = (owner: string, document: string) => put('resource-lists', owner, 'application/resource-lists+xml', document);
  const putServices = (owner: string, document: string) => put('rls-services', owner, 'application/rls-services+xml', document);

  beforeAll(async () => {
    sip = await freeUdpTcpPort();
    const xcap = await freePort('tcp');
    xcapBase = `http://127.0.0.1:${xcap}/xcap-root`;
    server = await startPresenceProcess(children, 'standalone', 'rls', await freePort('tcp'), [
      '--listen', `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip}`, '--xcap-listen', `127.0.0.1:${xcap}`, '--auth', 'none', '--default-sub-handling', 'allow',
      '--domain', DOMAIN, '--rls-max-members', '250', '--log-level', 'warn',
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const each of uas) await each.close();
    await server?.stop();
    await children.killAll();
  });

  it('rls - a list of 200 members: full state first, then a partial NOTIFY with only the member that changed', { timeout: 60_000 }, async () => {
    const publisher = await ua(member(0));
    for (const n of [0, 1, 2]) expect((await publish(publisher, member(n), { body: pidf(member(n), [{ id: `t${n}`, basic: 'open' }]), expires: 600 })).status).toBe(200);
    const members = Array.from({ length: 200 }, (_, n) => member(n));
    await putLists(ALICE, resourceLists(`<list name="buddies">${entries(members)}</list>`));
    await putServices(ALICE, rlsServices(`<service uri="sip:alice-buddies@${DOMAIN}"><resource-list>${listUri(ALICE, 'list[@name="buddies"]')}</resource-list><packages><package>presence</package></packages></service>`));

    // A full state of 200 documents is ~70 kB: more than a UDP datagram carries (RFC 3261 §18.1.1), so this subscriber is on TCP.
    const alice = await ua(ALICE, 'tcp');
    const { response, dialog } = await alice.subscribe(`sip:alice-buddies@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    expect(response.status).toBe(200);
    expect(response.header('require')).toBe('eventlist');
    const full = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    // One bus interest per member, held by the list (nobody else watches them here).
    expect(metricValue(await server.metrics(), 'presence_watched_presentities')).toBe(200);
    expect(metricValue(await server.metrics(), 'presence_list_members')).toBe(200);
    expect(full).toMatchObject({ version: 0, fullState: true });
    expect([...full.resources.keys()]).toEqual(members);
    expect([...full.resources.values()].every((r) => r.state === 'active')).toBe(true);
    expect(tuplesOf(full.resources.get(member(1))!.pidf!)).toEqual(['t1:open']);
    expect(tuplesOf(full.resources.get(member(150))!.pidf ?? '')).toEqual([]);

    expect((await publish(publisher, member(7), { body: pidf(member(7), [{ id: 't7', basic: 'open' }]), expires: 600 })).status).toBe(200);
    const partial = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect(partial).toMatchObject({ version: 1, fullState: false });
    expect([...partial.resources.keys()]).toEqual([member(7)]);
    expect(tuplesOf(partial.resources.get(member(7))!.pidf!)).toEqual(['t7:open']);

    // Unsubscribing ends the list and every member's interest: the edge watches nothing any more.
    expect((await dialog.unsubscribe()).status).toBe(200);
    // The final NOTIFY carries the list's full state (RFC 6665 §4.2.1.4, RFC 4662 §5.2), the last change included.
    const finalNotify = await dialog.nextNotify({ timeoutMs: 10_000 });
    expect(finalNotify.header('subscription-state')).toBe('terminated;reason=timeout');
    const last = await parseListNotify(finalNotify);
    expect(last).toMatchObject({ version: 2, fullState: true });
    expect([...last.resources.keys()]).toEqual(members);
    expect(tuplesOf(last.resources.get(member(7))!.pidf!)).toEqual(['t7:open']);
    await eventually(async () => expect(metricValue(await server.metrics(), 'presence_watched_presentities')).toBe(0));
    expect(metricValue(await server.metrics(), 'presence_list_members')).toBe(0);
  });

  it('rls - a list URI without Supported: eventlist is 421 with Require: eventlist; a plain presentity is not', async () => {
    await putServices(`sip:carol@${DOMAIN}`, rlsServices(`<service uri="sip:carol-list@${DOMAIN}"><list>${`<rl:entry uri="${member(1)}"/>`}</list></service>`));
    const carol = await ua(`sip:carol@${DOMAIN}`);
    const { response } = await carol.subscribe(`sip:carol-list@${DOMAIN}`, { expires: 600 });
    expect(response.status).toBe(421);
    expect(response.header('require')).toBe('eventlist');
    expect((await carol.subscribe(member(1), { expires: 600 })).response.status).toBe(200);
  });

  it('rls - nested lists, entry-ref and external are flattened, a loop is cut, duplicates shown once', { timeout: 30_000 }, async () => {
    const dave = `sip:dave@${DOMAIN}`;
    await putLists(dave, resourceLists(
      `<list name="a"><entry uri="${member(10)}"><display-name>Ten</display-name></entry><external anchor="${listUri(dave, 'list[@name="b"]')}"/></list>` +
        `<list name="b"><entry uri="${member(11)}"/><external anchor="${listUri(dave, 'list[@name="a"]')}"/></list>`,
    ));
    const entryRef = `resource-lists/users/${dave}/index/~~/resource-lists/list%5b@name=%22b%22%5d/entry%5b@uri=%22${member(11)}%22%5d`;
    await putServices(dave, rlsServices(`<service uri="sip:dave-list@${DOMAIN}"><list><rl:entry uri="${member(12)}"/><rl:list name="inner"><rl:entry uri="${member(13)}"/><rl:entry uri="${member(12)}"/></rl:list><rl:entry-ref ref="${entryRef}"/><rl:external anchor="${listUri(dave, 'list[@name="a"]')}"/></list></service>`));
    const subscriber = await ua(dave);
    const { response, dialog } = await subscriber.subscribe(`sip:dave-list@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    expect(response.status).toBe(200);
    const full = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect([...full.resources.keys()]).toEqual([member(12), member(13), member(11), member(10)]);
    expect(full.resources.get(member(10))?.name).toBe('Ten');
    // Dave's list is his: who is on it is nobody else's business.
    const other = await ua(`sip:mallory@${DOMAIN}`);
    const refused = await other.subscribe(`sip:dave-list@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    expect(refused.response.status).toBe(403);
    expect(refused.response.reason).toMatch(/only the owner/);
  });

  it('rls - RFC 5367: the list in the SUBSCRIBE body; a member of a domain not served is terminated noresource', { timeout: 30_000 }, async () => {
    const erin = await ua(`sip:erin@${DOMAIN}`);
    const body = resourceLists(`<list>${entries([member(1), member(2), 'sip:someone@elsewhere.org'])}</list>`);
    const { response, dialog } = await erin.subscribe(`sip:adhoc@${DOMAIN}`, {
      expires: 600,
      body,
      headers: { ...LIST_HEADERS, Require: 'recipient-list-subscribe', 'Content-Type': 'application/resource-lists+xml', 'Content-Disposition': 'recipient-list' },
    });
    expect(response.status).toBe(200);
    const full = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect(full.resources.get('sip:someone@elsewhere.org')).toEqual({ state: 'terminated', reason: 'noresource' });
    expect(tuplesOf(full.resources.get(member(2))!.pidf!)).toEqual(['t2:open']);
    // Without the disposition the body is no list: 400 naming it.
    const refused = await erin.subscribe(`sip:adhoc@${DOMAIN}`, { expires: 600, body, headers: { ...LIST_HEADERS, Require: 'recipient-list-subscribe', 'Content-Type': 'application/resource-lists+xml' } });
    expect(refused.response.status).toBe(400);
    const bodyList = { ...LIST_HEADERS, Require: 'recipient-list-subscribe', 'Content-Disposition': 'recipient-list' };
    const malformed = await erin.subscribe(`sip:adhoc@${DOMAIN}`, { expires: 600, body: '<!DOCTYPE x [<!ENTITY a "a">]><resource-lists/>', headers: { ...bodyList, 'Content-Type': 'application/resource-lists+xml' } });
    expect(malformed.response.status).toBe(400);
    expect(malformed.response.reason).toMatch(/DOCTYPE/);
    const foreignType = await erin.subscribe(`sip:adhoc@${DOMAIN}`, { expires: 600, body: 'sip:a@example.com', headers: { ...bodyList, 'Content-Type': 'text/uri-list' } });
    expect(foreignType.response.status).toBe(415);
    expect(foreignType.response.header('accept')).toBe('application/resource-lists+xml');
  });

  it('rls - the member limit (--rls-max-members 250): a longer list is 403 naming it', async () => {
    const frank = await ua(`sip:frank@${DOMAIN}`);
    const body = resourceLists(`<list>${entries(Array.from({ length: 251 }, (_, n) => member(n)))}</list>`);
    const { response } = await frank.subscribe(`sip:big@${DOMAIN}`, { expires: 600, body, headers: { ...LIST_HEADERS, Require: 'recipient-list-subscribe', 'Content-Type': 'application/resource-lists+xml', 'Content-Disposition': 'recipient-list' } });
    expect(response.status).toBe(403);
    expect(response.reason).toMatch(/more than 250 members/);
  });

  it("rls - each member's own pres-rules decide for this watcher: blocked is terminated rejected, polite-blocked shows closed", { timeout: 30_000 }, async () => {
    const gina = `sip:gina@${DOMAIN}`;
    const rules = (handling: string) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules"><cr:rule id="r1"><cr:conditions><cr:identity><cr:one id="${gina}"/></cr:identity></cr:conditions><cr:actions><pr:sub-handling>${handling}</pr:sub-handling></cr:actions></cr:rule></cr:ruleset>`;
    await put('pres-rules', member(1), 'application/auth-policy+xml', rules('block'));
    await put('pres-rules', member(2), 'application/auth-policy+xml', rules('polite-block'));
    // The member's watcher information (RFC 3857) shows the list's subscriber as its watcher, as a single SUBSCRIBE would.
    const member3 = await ua(member(3));
    const winfo = new WatcherInfoView((await member3.subscribe(member(3), { event: 'presence.winfo', expires: 600 })).dialog);
    await winfo.next();
    await putServices(gina, rlsServices(`<service uri="sip:gina-list@${DOMAIN}"><list>${[member(0), member(1), member(2), member(3)].map((u) => `<rl:entry uri="${u}"/>`).join('')}</list></service>`));
    const subscriber = await ua(gina);
    const { dialog } = await subscriber.subscribe(`sip:gina-list@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    const full = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect((await winfo.next()).entries).toEqual([expect.objectContaining({ uri: gina, status: 'active', event: 'subscribe' })]);
    expect(tuplesOf(full.resources.get(member(0))!.pidf!)).toEqual(['t0:open']);
    expect(full.resources.get(member(1))).toEqual({ state: 'terminated', reason: 'rejected' });
    expect(full.resources.get(member(2))?.state).toBe('active');
    // RFC 5025 §3.2.1: what an offline presentity shows — no tuple open.
    expect(tuplesOf(full.resources.get(member(2))!.pidf!)).toEqual([]);
  });

  it('rls - an XCAP edit of the list reaches the live subscription: the new member in the next NOTIFY, the removed one terminated', { timeout: 30_000 }, async () => {
    const hank = `sip:hank@${DOMAIN}`;
    const subscriber = await ua(hank);
    // Before the service exists the URI is a plain presentity (and the edge remembers it is no list)...
    const before = await subscriber.subscribe(`sip:hank-list@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    expect(before.response.header('require')).toBeUndefined();
    expect((await before.dialog.nextNotify()).header('content-type')).toBe('application/pidf+xml');
    await putLists(hank, resourceLists(`<list name="l">${entries([member(0), member(1)])}</list>`));
    await putServices(hank, rlsServices(`<service uri="sip:hank-list@${DOMAIN}"><resource-list>${listUri(hank, 'list[@name="l"]')}</resource-list></service>`));
    // ...until the rls-services write is announced: then the same URI is a list.
    let listed: Awaited<ReturnType<TestUa['subscribe']>> | undefined;
    await eventually(async () => {
      listed = await subscriber.subscribe(`sip:hank-list@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
      expect(listed.response.header('require')).toBe('eventlist');
    });
    const { dialog } = listed!;
    const full = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    expect([...full.resources.keys()]).toEqual([member(0), member(1)]);

    const editedAt = Date.now();
    await putLists(hank, resourceLists(`<list name="l">${entries([member(0), member(2)])}</list>`));
    const edited = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    console.info(`rls: XCAP list edit -> NOTIFY in ${Date.now() - editedAt} ms`);
    expect(edited.fullState).toBe(false);
    expect(tuplesOf(edited.resources.get(member(2))!.pidf!)).toEqual(['t2:open']);
    expect(edited.resources.get(member(1))).toEqual({ state: 'terminated', reason: 'noresource' });
    expect(edited.resources.has(member(0))).toBe(false);
  });

  it('rls - a fetch (Expires: 0) of a list gets one NOTIFY, terminated, with the full state of the list', { timeout: 30_000 }, async () => {
    const ivy = `sip:ivy@${DOMAIN}`;
    await putServices(ivy, rlsServices(`<service uri="sip:ivy-list@${DOMAIN}"><list>${[member(1), member(2), 'sip:x@elsewhere.org'].map((u) => `<rl:entry uri="${u}"/>`).join('')}</list></service>`));
    const subscriber = await ua(ivy);
    const heldBefore = metricValue(await server.metrics(), 'presence_list_members');
    const { response, dialog } = await subscriber.subscribe(`sip:ivy-list@${DOMAIN}`, { expires: 0, headers: LIST_HEADERS });
    expect(response.status).toBe(200);
    const notify = await dialog.nextNotify({ timeoutMs: 10_000 });
    expect(notify.header('subscription-state')).toBe('terminated;reason=timeout');
    const fetched = await parseListNotify(notify);
    expect(fetched).toMatchObject({ version: 0, fullState: true });
    expect(tuplesOf(fetched.resources.get(member(1))!.pidf!)).toEqual(['t1:open']);
    expect(tuplesOf(fetched.resources.get(member(2))!.pidf!)).toEqual(['t2:open']);
    expect(fetched.resources.get('sip:x@elsewhere.org')).toEqual({ state: 'terminated', reason: 'noresource' });
    // Nothing stays held for a fetch.
    await eventually(async () => expect(metricValue(await server.metrics(), 'presence_list_members')).toBe(heldBefore));
  });

  it('rls - a deleted service ends its list subscription: NOTIFY terminated;reason=noresource (RFC 6665 §4.1.3), no body', { timeout: 30_000 }, async () => {
    const jack = `sip:jack@${DOMAIN}`;
    const service = (uri: string) => `<service uri="${uri}"><list><rl:entry uri="${member(1)}"/></list></service>`;
    await putServices(jack, rlsServices(service(`sip:jack-a@${DOMAIN}`) + service(`sip:jack-b@${DOMAIN}`)));
    const subscriber = await ua(jack);
    const heldBefore = metricValue(await server.metrics(), 'presence_list_members');
    const a = await subscriber.subscribe(`sip:jack-a@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    const b = await subscriber.subscribe(`sip:jack-b@${DOMAIN}`, { expires: 600, headers: LIST_HEADERS });
    for (const { dialog } of [a, b]) expect((await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }))).fullState).toBe(true);

    // The service element removed from the document: that list ends, the other lives on.
    await putServices(jack, rlsServices(service(`sip:jack-b@${DOMAIN}`)));
    const endedA = await a.dialog.nextNotify({ timeoutMs: 10_000 });
    expect(endedA.header('subscription-state')).toBe('terminated;reason=noresource');
    expect(endedA.bodyBytes.length).toBe(0);
    // The dialog is gone: a refresh is 481.
    expect((await a.dialog.refresh(600, LIST_HEADERS)).status).toBe(481);

    // The whole rls-services document deleted: the other list ends too.
    const deleted = await fetch(`${xcapBase}/rls-services/users/${jack}/index`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const endedB = await b.dialog.nextNotify({ timeoutMs: 10_000 });
    expect(endedB.header('subscription-state')).toBe('terminated;reason=noresource');
    await eventually(async () => expect(metricValue(await server.metrics(), 'presence_list_members')).toBe(heldBefore));
  });

  it('rls - RFC 6446 rates on a list: max-rate is reflected, and changes to two members within the gap go as one partial NOTIFY', { timeout: 30_000 }, async () => {
    const frank = `sip:frank@${DOMAIN}`;
    await putServices(frank, rlsServices(`<service uri="sip:frank-list@${DOMAIN}"><list>${[40, 41, 42].map((n) => `<rl:entry uri="${member(n)}"/>`).join('')}</list></service>`));
    const subscriber = await ua(frank);
    const { response, dialog } = await subscriber.subscribe(`sip:frank-list@${DOMAIN}`, { expires: 600, headers: { ...LIST_HEADERS, Event: 'presence;max-rate=0.2' } });
    expect(response.status).toBe(200);
    const first = await dialog.nextNotify({ timeoutMs: 10_000 });
    expect(first.header('subscription-state')).toMatch(/^active;expires=\d+;max-rate=0\.2$/);
    expect(await parseListNotify(first)).toMatchObject({ version: 0, fullState: true });

    // Both changes land inside the 5 s gap after the first NOTIFY: the list is paced as a whole, so one NOTIFY carries both.
    const publisher = await ua(member(40));
    for (const n of [40, 41]) expect((await publish(publisher, member(n), { body: pidf(member(n), [{ id: `r${n}`, basic: 'open' }]), expires: 600 })).status).toBe(200);
    const paced = await parseListNotify(await dialog.nextNotify({ timeoutMs: 15_000 }));
    expect(paced).toMatchObject({ version: 1, fullState: false });
    expect([...paced.resources.keys()].sort()).toEqual([member(40), member(41)]);
    expect(tuplesOf(paced.resources.get(member(41))!.pidf!)).toEqual(['r41:open']);
  });
});
