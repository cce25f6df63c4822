import { decodeXcapChange, type XcapChangeEvent } from '@presence/contracts';
import { eventually } from '@presence/testkit';
import { expect, it } from 'vitest';

/** What one conformance run needs: a served XCAP root and the changes seen on its bus. */
export interface XcapTarget {
  readonly baseUrl: string;
  readonly changes: readonly XcapChangeEvent[];
  stop(): Promise<void>;
}

export const RL_NS = 'urn:ietf:params:xml:ns:resource-lists';
const ALICE = 'sip:alice@example.com';
const docPath = (aor = ALICE, file = 'index') => `/xcap-root/resource-lists/users/${aor}/${file}`;

/** RFC 4826 §3.3 shaped buddy list. */
export const RESOURCE_LISTS = `<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="${RL_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <list name="friends">
    <entry uri="sip:bill@example.com">
      <display-name>Bill Doe</display-name>
    </entry>
    <entry uri="sip:joe@example.com"/>
  </list>
</resource-lists>
`;

export function decodeChange(bytes: Uint8Array): XcapChangeEvent {
  return decodeXcapChange(bytes);
}

/**
 * RFC 4825 conformance over real HTTP: every method on documents, elements,
 * attributes and namespace bindings, the conditional headers, and each
 * 409 body. `target()` is the server under test, started by the caller.
 */
export function xcapConformanceSuite(target: () => XcapTarget): void {
  const call = (path: string, init: RequestInit = {}) => fetch(`${target().baseUrl}${path}`, init);
  const put = (path: string, body: string, contentType: string, headers: Record<string, string> = {}) =>
    call(path, { method: 'PUT', body, headers: { 'Content-Type': contentType, ...headers } });
  const sel = (selector: string) => `${docPath()}/~~/${encodeURI(selector).replace(/\[/g, '%5B').replace(/\]/g, '%5D')}`;

  it('PUT creates a document (201, quoted ETag), GET returns it byte for byte, a second PUT replaces it (200)', async () => {
    const created = await put(docPath(), RESOURCE_LISTS, 'application/resource-lists+xml');
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    const read = await call(docPath());
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('application/resource-lists+xml');
    expect(read.headers.get('etag')).toBe(etag);
    expect(await read.text()).toBe(RESOURCE_LISTS);
    const replaced = await put(docPath(), RESOURCE_LISTS, 'application/resource-lists+xml', { 'If-Match': etag! });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).not.toBe(etag);
    await eventually(() => expect(target().changes.filter((c) => c.owner === ALICE && c.filename === 'index').length).toBeGreaterThanOrEqual(2));
    const last = target().changes.filter((c) => c.owner === ALICE).at(-1)!;
    expect(last).toMatchObject({ type: 'xcap-change', auid: 'resource-lists', scope: 'users', previousEtag: etag!.slice(1, -1), etag: replaced.headers.get('etag')!.slice(1, -1) });
  });

  it('If-None-Match with the current tag gives 304 on GET, a stale If-Match gives 412 and changes nothing', async () => {
    const etag = (await call(docPath())).headers.get('etag')!;
    expect((await call(docPath(), { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await call(docPath(), { headers: { 'If-Match': '"stale"' } })).status).toBe(412);
    expect((await put(docPath(), RESOURCE_LISTS, 'application/resource-lists+xml', { 'If-Match': '"stale"' })).status).toBe(412);
    expect((await put(docPath(), RESOURCE_LISTS, 'application/resource-lists+xml', { 'If-None-Match': '*' })).status).toBe(412);
    expect((await call(docPath())).headers.get('etag')).toBe(etag);
    const list = await call(docPath(), { headers: { 'If-Match': `${etag}, "other"` } });
    expect(list.status).toBe(400);
    expect(list.statusText).toContain('not a list');
  });

  it('a wrong Content-Type is 415; a body that is not XML is 409 <not-well-formed>; a wrong document element 409 <schema-validation-error>', async () => {
    expect((await put(docPath(), RESOURCE_LISTS, 'text/plain')).status).toBe(415);
    const broken = await put(docPath(), '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>', 'application/resource-lists+xml');
    expect(broken.status).toBe(409);
    expect(broken.headers.get('content-type')).toBe('application/xcap-error+xml');
    expect(await broken.text()).toContain('<not-well-formed');
    const doctype = await put(docPath(), '<!DOCTYPE x [<!ENTITY a "b">]><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>', 'application/resource-lists+xml');
    expect(await doctype.text()).toContain('<not-well-formed');
    const wrongRoot = await put(docPath(), '<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"/>', 'application/resource-lists+xml');
    expect(wrongRoot.status).toBe(409);
    expect(await wrongRoot.text()).toContain('<schema-validation-error');
    const latin1 = await call(docPath(), { method: 'PUT', body: Buffer.from([0x3c, 0x61, 0xe9, 0x3e]), headers: { 'Content-Type': 'application/resource-lists+xml' } });
    expect(await latin1.text()).toContain('<not-utf-8');
  });

  it('GET of an element by attribute, by position and by name; of an attribute; of the namespace bindings', async () => {
    const byAttr = await call(sel('resource-lists/list[@name="friends"]/entry[@uri="sip:bill@example.com"]'));
    expect(byAttr.status).toBe(200);
    expect(byAttr.headers.get('content-type')).toBe('application/xcap-el+xml');
    expect(await byAttr.text()).toContain('<display-name>Bill Doe</display-name>');
    const byPos = await call(sel('resource-lists/list/entry[2]'));
    expect(await byPos.text()).toBe(`<entry xmlns="${RL_NS}" uri="sip:joe@example.com"/>`);
    const any = await call(sel('resource-lists/*[1]/entry[1]/display-name'));
    expect(await any.text()).toContain('Bill Doe');
    const attribute = await call(sel('resource-lists/list/entry[2]/@uri'));
    expect(attribute.headers.get('content-type')).toBe('application/xcap-att+xml');
    expect(await attribute.text()).toBe('sip:joe@example.com');
    const prefixed = await call(`${sel('r:resource-lists/r:list')}?xmlns(r=${RL_NS})`);
    expect(prefixed.status).toBe(200);
    const ns = await call(sel('resource-lists/list/namespace::*'));
    expect(ns.headers.get('content-type')).toBe('application/xcap-ns+xml');
    expect(await ns.text()).toContain(`xmlns="${RL_NS}"`);
    const readOnly = await put(sel('resource-lists/list/namespace::*'), '<list/>', 'application/xcap-ns+xml');
    expect(readOnly.status).toBe(405);
    expect(readOnly.headers.get('allow')).toBe('GET');
    expect((await call(sel('resource-lists/list/entry'))).status).toBe(404);
    expect((await call(sel('resource-lists/list[@name="nobody"]'))).status).toBe(404);
  });

  it('PUT of an element inserts it (201) where a GET of the same URI finds it, then replaces it (200); DELETE removes it', async () => {
    const uri = sel('resource-lists/list[@name="friends"]/entry[@uri="sip:carol@example.com"]');
    const entry = '<entry uri="sip:carol@example.com"><display-name>Carol</display-name></entry>';
    const created = await put(uri, entry, 'application/xcap-el+xml');
    expect(created.status).toBe(201);
    expect(await (await call(uri)).text()).toBe(`<entry xmlns="${RL_NS}" uri="sip:carol@example.com"><display-name>Carol</display-name></entry>`);
    expect((await call(docPath())).headers.get('etag')).toBe(created.headers.get('etag'));
    const replaced = await put(uri, '<entry uri="sip:carol@example.com"/>', 'application/xcap-el+xml');
    expect(replaced.status).toBe(200);
    const deleted = await call(uri, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect((await call(uri)).status).toBe(404);
  });

  it('PUT of an element by position lands at that position; past the end plus one is <cannot-insert>; a DELETE the URI would still select is <cannot-delete>', async () => {
    const created = await put(sel('resource-lists/list/entry[3]'), '<entry uri="sip:third@example.com"/>', 'application/xcap-el+xml');
    expect(created.status).toBe(201);
    expect(await (await call(sel('resource-lists/list/entry[3]/@uri'))).text()).toBe('sip:third@example.com');
    expect(await (await put(sel('resource-lists/list/entry[9]'), '<entry uri="sip:ninth@example.com"/>', 'application/xcap-el+xml')).text()).toContain('<cannot-insert');
    const stuck = await call(sel('resource-lists/list/entry[1]'), { method: 'DELETE' });
    expect(stuck.status).toBe(409);
    expect(await stuck.text()).toContain('<cannot-delete');
  });

  it('409 bodies: <no-parent> with the closest ancestor, <cannot-insert> for a body the URI would not select, <not-xml-frag>', async () => {
    const orphan = await put(sel('resource-lists/list[@name="nope"]/entry[@uri="sip:x@example.com"]'), '<entry uri="sip:x@example.com"/>', 'application/xcap-el+xml');
    expect(orphan.status).toBe(409);
    const text = await orphan.text();
    expect(text).toContain('<no-parent');
    expect(text).toContain(`<ancestor>${docPath()}/~~/resource-lists</ancestor>`);
    const mismatch = await put(sel('resource-lists/list/entry[@uri="sip:y@example.com"]'), '<entry uri="sip:z@example.com"/>', 'application/xcap-el+xml');
    expect(await mismatch.text()).toContain('<cannot-insert');
    const notFrag = await put(sel('resource-lists/list/entry[@uri="sip:y@example.com"]'), '<entry/><entry/>', 'application/xcap-el+xml');
    expect(await notFrag.text()).toContain('<not-xml-frag');
    expect((await put(sel('resource-lists/list/entry[@uri="sip:y@example.com"]'), '<entry/>', 'application/resource-lists+xml')).status).toBe(415);
  });

  it('PUT and DELETE of an attribute; the value travels escaped; an attribute the schema forbids is 409', async () => {
    const name = sel('resource-lists/list/@name');
    expect((await put(name, 'a &amp; b', 'application/xcap-att+xml')).status).toBe(200);
    expect(await (await call(name)).text()).toBe('a &amp; b');
    expect((await call(sel('resource-lists/list[@name="a &amp; b"]'))).status).toBe(200);
    expect((await call(sel('resource-lists/list[@name="a & b"]'))).status).toBe(400);
    expect((await put(name, 'friends', 'application/xcap-att+xml')).status).toBe(200);
    const lang = sel('resource-lists/list/entry[1]/display-name/@xml:lang');
    expect((await put(lang, 'en', 'application/xcap-att+xml')).status).toBe(201);
    expect(await (await call(lang)).text()).toBe('en');
    expect((await call(lang, { method: 'DELETE' })).status).toBe(200);
    expect((await call(lang)).status).toBe(404);
    const forbidden = await put(sel('resource-lists/list/entry[1]/@note'), 'x', 'application/xcap-att+xml');
    expect(forbidden.status).toBe(409);
    expect(await forbidden.text()).toContain('<schema-validation-error');
    expect(await (await put(name, 'a"b', 'application/xcap-att+xml')).text()).toContain('<not-xml-att-value');
  });

  it('the global tree is read only; xcap-caps lists the usages; unknown auid or user part is 404; a DELETE of the document', async () => {
    const caps = await call('/xcap-root/xcap-caps/global/index');
    expect(caps.status).toBe(200);
    expect(caps.headers.get('content-type')).toBe('application/xcap-caps+xml');
    const body = await caps.text();
    for (const auid of ['resource-lists', 'rls-services', 'pres-rules', 'pidf-manipulation', 'xcap-caps']) expect(body).toContain(`<auid>${auid}</auid>`);
    expect(body).toContain('<namespace>urn:ietf:params:xml:ns:pres-rules</namespace>');
    expect((await put('/xcap-root/xcap-caps/global/index', body, 'application/xcap-caps+xml')).status).toBe(403);
    expect((await put('/xcap-root/resource-lists/global/index', RESOURCE_LISTS, 'application/resource-lists+xml')).status).toBe(403);
    expect((await call('/xcap-root/no-such-usage/users/sip:alice@example.com/index')).status).toBe(404);
    expect((await call('/xcap-root/resource-lists/users/not-an-aor/index')).status).toBe(404);
    expect((await call('/elsewhere')).status).toBe(404);
    const etag = (await call(docPath())).headers.get('etag')!;
    const removed = await call(docPath(), { method: 'DELETE', headers: { 'If-Match': etag } });
    expect(removed.status).toBe(200);
    expect((await call(docPath())).status).toBe(404);
    await eventually(() => expect(target().changes.some((c) => c.owner === ALICE && c.etag === undefined && c.previousEtag === etag.slice(1, -1))).toBe(true));
  });
}

/** Schema validation and the usages' uniqueness constraints, over HTTP (RFC 4825 §8.2.5, RFC 4826 §3.4.5 / §4.4.5). */
export function xcapValidationSuite(target: () => XcapTarget): void {
  const put = (path: string, body: string, contentType: string) => fetch(`${target().baseUrl}${path}`, { method: 'PUT', body, headers: { 'Content-Type': contentType } });
  const bob = (auid: string) => `/xcap-root/${auid}/users/sip:bob@example.com/index`;

  it('a document breaking its schema is 409 <schema-validation-error> naming the problem, and nothing is stored', async () => {
    const missingUri = await put(bob('resource-lists'), `<resource-lists xmlns="${RL_NS}"><list><entry/></list></resource-lists>`, 'application/resource-lists+xml');
    expect(missingUri.status).toBe(409);
    expect(missingUri.headers.get('content-type')).toBe('application/xcap-error+xml');
    const body = await missingUri.text();
    expect(body).toContain('<schema-validation-error phrase="');
    expect(body).toContain('uri');
    expect((await fetch(`${target().baseUrl}${bob('resource-lists')}`)).status).toBe(404);
    const badAction = await put(bob('pres-rules'), '<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="r1"><actions><sub-handling xmlns="urn:ietf:params:xml:ns:pres-rules">maybe</sub-handling></actions></rule></ruleset>', 'application/auth-policy+xml');
    expect(await badAction.text()).toContain('<schema-validation-error');
  });

  it('valid pres-rules and rls-services documents are accepted', async () => {
    const rules = '<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules"><cr:rule id="a"><cr:conditions><cr:identity><cr:many domain="example.com"/></cr:identity></cr:conditions><cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions><cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services></cr:transformations></cr:rule></cr:ruleset>';
    expect((await put(bob('pres-rules'), rules, 'application/auth-policy+xml')).status).toBe(201);
    const rls = `<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="${RL_NS}"><service uri="sip:bob-buddies@example.com"><list name="b"><rl:entry uri="sip:carol@example.com"/></list><packages><package>presence</package></packages></service></rls-services>`;
    expect((await put(bob('rls-services'), rls, 'application/rls-services+xml')).status).toBe(201);
    const pidf = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bob@example.com"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>';
    expect((await put(bob('pidf-manipulation'), pidf, 'application/pidf+xml')).status).toBe(201);
    const badBasic = await put(bob('pidf-manipulation'), pidf.replace('open', 'ajar'), 'application/pidf+xml');
    expect(await badBasic.text()).toContain('<schema-validation-error');
  });

  it('uniqueness: a second entry with the same uri in a list, a second list name, a second service uri: 409 <uniqueness-failure> with <exists field>', async () => {
    const twice = await put(bob('resource-lists'), `<resource-lists xmlns="${RL_NS}"><list name="a"><entry uri="sip:x@example.com"/><entry uri="sip:x@example.com"/></list></resource-lists>`, 'application/resource-lists+xml');
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('<exists field="resource-lists/list/entry/@uri">');
    const lists = await put(bob('resource-lists'), `<resource-lists xmlns="${RL_NS}"><list name="a"/><list name="a"/></resource-lists>`, 'application/resource-lists+xml');
    expect(await lists.text()).toContain('<exists field="resource-lists/list/@name"><alt-value>a-2</alt-value></exists>');
    const services = await put(bob('rls-services'), '<rls-services xmlns="urn:ietf:params:xml:ns:rls-services"><service uri="sip:s@example.com"><resource-list>http://x/y</resource-list></service><service uri="sip:s@example.com"><resource-list>http://x/z</resource-list></service></rls-services>', 'application/rls-services+xml');
    expect(await services.text()).toContain('<uniqueness-failure');
  });

  it('an element PUT that would break uniqueness is refused and the document is unchanged', async () => {
    const doc = `<resource-lists xmlns="${RL_NS}"><list name="a"><entry uri="sip:x@example.com"/></list></resource-lists>`;
    const created = await put(bob('resource-lists'), doc, 'application/resource-lists+xml');
    expect(created.status).toBe(201);
    const dup = await put(`${bob('resource-lists')}/~~/resource-lists/list%5B@name=%22a%22%5D/entry%5B2%5D`, '<entry uri="sip:x@example.com"/>', 'application/xcap-el+xml');
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain('<uniqueness-failure');
    const now = await fetch(`${target().baseUrl}${bob('resource-lists')}`);
    expect(now.headers.get('etag')).toBe(created.headers.get('etag'));
  });
}
