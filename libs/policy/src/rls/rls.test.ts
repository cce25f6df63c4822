import fc from 'fast-check';
import type { XcapDocumentRef } from '@presence/core';
import { describe, expect, it } from 'vitest';
import { bodyList, findService } from './list-documents.js';
import { parseListReference } from './list-reference.js';
import { multipartRelated } from './multipart-related.js';
import { ListTooLargeError, resolveList, type ListDocuments } from './resolve-list.js';
import { renderRlmi } from './rlmi.js';

const OWNER = 'sip:alice@example.com';
const RL = 'urn:ietf:params:xml:ns:resource-lists';
const entries = (...uris: string[]) => uris.map((u) => `<entry uri="${u}"/>`).join('');
const rlsServices = (services: string) => `<?xml version="1.0"?><rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="${RL}">${services}</rls-services>`;
const resourceLists = (lists: string) => `<?xml version="1.0"?><resource-lists xmlns="${RL}">${lists}</resource-lists>`;
const listRef = (owner: string, selector: string, file = 'index') => `/xcap-root/resource-lists/users/${owner}/${file}/~~/resource-lists/${encodeURIComponent(selector)}`;

/** A document store of one owner's resource-lists files, counting reads. */
function documents(files: Record<string, string>, owner = OWNER): ListDocuments & { reads: number } {
  const source = async (ref: XcapDocumentRef) => {
    source.reads++;
    return ref.auid === 'resource-lists' && ref.owner === owner ? files[ref.filename] : undefined;
  };
  source.reads = 0;
  return source;
}

const inline = (xml: string) => findService(rlsServices(`<service uri="sip:friends@example.com"><list>${xml}</list></service>`), 'sip:friends@example.com')!.list;

describe('resource lists (RLS)', () => {
  it('rls-services - finds the service by its URI as an AOR, inline list or <resource-list>, with its packages', () => {
    const xml = rlsServices(`
      <service uri="sip:friends@example.com;transport=tcp"><list name="f"><rl:entry uri="sip:bob@example.com"/></list><packages><package>presence</package></packages></service>
      <service uri="sip:work@example.com"><resource-list>${listRef(OWNER, 'list[@name="work"]')}</resource-list></service>`);
    const friends = findService(xml, 'sip:friends@example.com')!;
    expect(friends.list.kind).toBe('inline');
    expect(friends.packages).toEqual(['presence']);
    expect(findService(xml, 'sip:work@example.com')).toMatchObject({ list: { kind: 'reference' }, packages: undefined });
    expect(findService(xml, 'sip:nobody@example.com')).toBeUndefined();
    expect(() => findService(rlsServices('<service uri="sip:x@example.com"/>'), 'sip:x@example.com')).toThrow(/neither <list> nor <resource-list>/);
  });

  it('list reference - relative or under /xcap-root/, escapes decoded, attribute and position steps', () => {
    expect(parseListReference('resource-lists/users/sip:a@b/index/~~/resource-lists/list%5b@name=%22x%22%5d/entry[2]')).toEqual({
      document: { auid: 'resource-lists', scope: 'users', owner: 'sip:a@b', filename: 'index' },
      steps: [{ name: 'list', attribute: { name: 'name', value: 'x' } }, { name: 'entry', position: 2 }],
    });
    expect(parseListReference('https://xcap.example.com/xcap-root/resource-lists/users/sip:a@b/index/~~/rl:resource-lists/rl:list[@name="a/b"]').steps).toEqual([{ name: 'list', attribute: { name: 'name', value: 'a/b' } }]);
    expect(() => parseListReference('http://elsewhere.example.org/resource-lists/users/sip:a@b/index/~~/resource-lists/list')).toThrow(/not on this XCAP server/);
    expect(() => parseListReference('pres-rules/users/sip:a@b/index/~~/resource-lists/list')).toThrow(/not a resource-lists document/);
    expect(() => parseListReference('resource-lists/users/sip:a@b/index')).toThrow(/no node selector/);
    expect(() => parseListReference('resource-lists/users/sip:a@b/index/~~/resource-lists/list[last()]')).toThrow(/cannot follow/);
  });

  it('resolve - inline entries, nested lists, entry-ref and external into the owner documents, names kept, duplicates collapsed', async () => {
    const files = {
      index: resourceLists(`<list name="work"><entry uri="sip:carol@example.com"><display-name>Carol</display-name></entry><list name="team">${entries('sip:dave@example.com', 'sip:bob@example.com')}</list></list>`),
      other: resourceLists(`<list name="gym">${entries('sip:erin@example.com')}</list>`),
    };
    const list = inline(`<rl:entry uri="sip:bob@example.com"><rl:display-name>Bob</rl:display-name></rl:entry>
      <rl:list name="inner"><rl:entry uri="sip:bob@example.com;transport=udp"/><rl:entry uri="tel:+15551234"/></rl:list>
      <rl:entry-ref ref="resource-lists/users/${OWNER}/index/~~/resource-lists/list%5b@name=%22work%22%5d/entry%5b@uri=%22sip:carol@example.com%22%5d"/>
      <rl:external anchor="https://xcap.example.com${listRef(OWNER, 'list[@name="work"]/list[@name="team"]')}"/>
      <rl:external anchor="${listRef(OWNER, 'list[@name="gym"]', 'other')}"/>`);
    const source = documents(files);
    const resolved = await resolveList(list, source, { owner: OWNER, maxMembers: 1000 });
    expect(resolved.members).toEqual([
      { uri: 'sip:bob@example.com', name: 'Bob' },
      { uri: 'tel:+15551234' },
      { uri: 'sip:carol@example.com', name: 'Carol' },
      { uri: 'sip:dave@example.com' },
      { uri: 'sip:erin@example.com' },
    ]);
    expect(resolved.skipped).toEqual([]);
    // index read once though two references name it.
    expect(source.reads).toBe(2);
  });

  it('resolve - a loop is cut where it closes; another user document and a missing element are skipped with a reason', async () => {
    const files = {
      index: resourceLists(`<list name="a"><entry uri="sip:a1@example.com"/><external anchor="${listRef(OWNER, 'list[@name="b"]')}"/></list>
        <list name="b"><entry uri="sip:b1@example.com"/><external anchor="${listRef(OWNER, 'list[@name="a"]')}"/></list>`),
    };
    const service = findService(rlsServices(`<service uri="sip:loop@example.com"><resource-list>${listRef(OWNER, 'list[@name="a"]')}</resource-list></service>`), 'sip:loop@example.com')!;
    const resolved = await resolveList(service.list, documents(files), { owner: OWNER, maxMembers: 10 });
    expect(resolved.members.map((m) => m.uri)).toEqual(['sip:a1@example.com', 'sip:b1@example.com']);
    expect(resolved.skipped.map((s) => s.reason)).toEqual(['loop']);
    const foreign = inline(`<rl:external anchor="${listRef('sip:mallory@example.com', 'list')}"/><rl:external anchor="${listRef(OWNER, 'list[@name="zzz"]')}"/>`);
    const skipped = await resolveList(foreign, documents(files), { owner: OWNER, maxMembers: 10 });
    expect(skipped.skipped.map((s) => s.reason)).toEqual(["another user's document", 'selects nothing']);
  });

  it('resolve - more distinct members than the limit is ListTooLargeError naming it; duplicates do not count', async () => {
    const list = inline(entries(...Array.from({ length: 4 }, (_, i) => `sip:u${i}@example.com`), 'sip:u0@example.com'));
    await expect(resolveList(list, documents({}), { owner: OWNER, maxMembers: 4 })).resolves.toMatchObject({ members: { length: 4 } });
    const error = await resolveList(list, documents({}), { owner: OWNER, maxMembers: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListTooLargeError);
    expect((error as ListTooLargeError).reason).toBe('Resource list has more than 3 members');
  });

  it('resolve (property) - members are the distinct entries of any nesting, in first-seen order, never more than the limit', async () => {
    type Tree = { entries: number[]; lists: Tree[] };
    const tree: fc.Memo<Tree> = fc.memo((depth) =>
      fc.record({ entries: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 6 }), lists: depth <= 1 ? fc.constant([]) : fc.array(tree(depth - 1), { maxLength: 3 }) }),
    );
    const render = (t: Tree): string => `${entries(...t.entries.map((n) => `sip:m${n}@example.com`))}${t.lists.map((l) => `<rl:list>${render(l)}</rl:list>`.replaceAll('<entry', '<rl:entry')).join('')}`;
    const order = (t: Tree, out: number[] = []): number[] => {
      for (const n of t.entries) if (!out.includes(n)) out.push(n);
      for (const l of t.lists) order(l, out);
      return out;
    };
    await fc.assert(
      fc.asyncProperty(tree(4), fc.integer({ min: 1, max: 40 }), async (t, max) => {
        const expected = order(t).map((n) => `sip:m${n}@example.com`);
        const list = inline(render(t).replaceAll('<entry', '<rl:entry'));
        const outcome = await resolveList(list, documents({}), { owner: OWNER, maxMembers: max }).catch((e: unknown) => e);
        if (expected.length > max) expect(outcome).toBeInstanceOf(ListTooLargeError);
        else expect((outcome as { members: { uri: string }[] }).members.map((m) => m.uri)).toEqual(expected);
      }),
    );
  });

  it('RFC 5367 body - the lists of a resource-lists body are one ad-hoc list; no list is refused', async () => {
    const list = bodyList(resourceLists(`<list>${entries('sip:a@example.com')}</list><list>${entries('sip:b@example.com')}</list>`));
    const resolved = await resolveList({ kind: 'inline', element: list }, documents({}), { owner: OWNER, maxMembers: 10 });
    expect(resolved.members.map((m) => m.uri)).toEqual(['sip:a@example.com', 'sip:b@example.com']);
    expect(() => bodyList(resourceLists(''))).toThrow(/no <list>/);
    expect(() => bodyList('<pidf/>')).toThrow(/root element/);
  });

  it('RLMI - list uri, version, fullState; resources with name and instances (reason only when terminated, cid when state)', () => {
    const xml = renderRlmi({
      uri: 'sip:friends@example.com',
      version: 3,
      fullState: false,
      resources: [
        { uri: 'sip:bob@example.com', name: 'Bob & co', instances: [{ id: 'b1', state: 'active', cid: 'p1@example.com' }] },
        { uri: 'sip:eve@example.com', instances: [{ id: 'e1', state: 'terminated', reason: 'rejected' }] },
        { uri: 'sip:pat@example.com', instances: [{ id: 'p1', state: 'pending', reason: 'ignored' }] },
      ],
    });
    expect(xml).toContain('<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:friends@example.com" version="3" fullState="false">');
    expect(xml).toContain('<resource uri="sip:bob@example.com">\n<name>Bob &amp; co</name>\n<instance id="b1" state="active" cid="p1@example.com"/>');
    expect(xml).toContain('<instance id="e1" state="terminated" reason="rejected"/>');
    expect(xml).toContain('<instance id="p1" state="pending"/>');
  });

  it('multipart/related - root part first with type and start naming it, parts byte for byte; a boundary inside a part is refused', () => {
    const pidf = new TextEncoder().encode('<presence>é</presence>');
    const { contentType, body } = multipartRelated('<list/>', 'root@x', [{ cid: 'p1@x', contentType: 'application/pidf+xml', body: pidf }], 'B0UND');
    expect(contentType).toBe('multipart/related;type="application/rlmi+xml";start="<root@x>";boundary="B0UND"');
    const text = body.toString('utf8');
    expect(text.startsWith('--B0UND\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <root@x>\r\nContent-Type: application/rlmi+xml;charset="UTF-8"\r\n\r\n<list/>\r\n--B0UND\r\n')).toBe(true);
    expect(text.endsWith('<presence>é</presence>\r\n--B0UND--\r\n')).toBe(true);
    expect(() => multipartRelated('<list>--B0UND</list>', 'r', [], 'B0UND')).toThrow(/boundary/);
  });
});
