import { fuzzAssert, pidfDocument } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_MODEL_NS, PIDF_NS, RPID_NS } from '../namespaces.js';
import { parsePidf } from '../parse-pidf.js';
import { renderPidf, renderPresence } from '../render-pidf.js';
import { getAttribute, isElement } from '../xml-node.js';
import type { XmlElement, XmlNode } from '../xml-node.js';
import { applyPatch } from './apply-patch.js';
import { PidfError } from '../pidf-error.js';
import { PatchError } from './patch-error.js';
import { parsePartialPidf, withVersion } from './partial-pidf.js';
import { pidfDiffOf, pidfFullOf, presenceTree } from './presence-patches.js';

const ENTITY = 'pres:alice@example.com';
const el = (ns: string, name: string, attributes: Record<string, string>, children: XmlNode[] = []): XmlElement => ({
  ns,
  name,
  attributes: Object.entries(attributes).map(([n, value]) => ({ ns: '', name: n, value })),
  children,
});
const tuple = (id: string, basic: string, note?: string) =>
  el(PIDF_NS, 'tuple', { id }, [el(PIDF_NS, 'status', {}, [el(PIDF_NS, 'basic', {}, [{ text: basic }])]), ...(note ? [el(PIDF_NS, 'note', {}, [{ text: note }])] : [])]);
const person = (id: string, activity: string) => el(DATA_MODEL_NS, 'person', { id }, [el(RPID_NS, 'activities', {}, [el(RPID_NS, activity, {})])]);
const device = (id: string) => el(DATA_MODEL_NS, 'device', { id }, [el(DATA_MODEL_NS, 'deviceID', {}, [{ text: `urn:x:${id}` }])]);
const note = (text: string) => el(PIDF_NS, 'note', {}, [{ text }]);
const extension = (text: string) => el('urn:example:ext', 'mood', {}, [{ text }]);

/** A presence document's children from a pool that overlaps between two draws, so diffs replace, move, add and remove. */
const child = fc.oneof(
  fc.tuple(fc.constantFrom('a', 'b', 'c', "it's"), fc.constantFrom('open', 'closed'), fc.option(fc.constantFrom('x', 'y & z'), { nil: undefined })).map(([id, basic, n]) => tuple(id, basic, n)),
  fc.tuple(fc.constantFrom('p1', 'p2'), fc.constantFrom('away', 'busy')).map(([id, a]) => person(id, a)),
  fc.constantFrom('d1', 'd2').map(device),
  fc.constantFrom('hello', 'bye').map(note),
  fc.constantFrom('happy', 'sad').map(extension),
);
/** Children with ids unique per kind (as parsePidf requires) in any order. */
const children = fc.array(child, { maxLength: 7 }).map((list) => {
  const seen = new Set<string>();
  return list.filter((e) => {
    const id = getAttribute(e, 'id');
    if (id === undefined) return true;
    const key = `${e.ns} ${e.name} ${id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
});

/** What a watcher does (RFC 5263): parse the pidf-diff body and apply it to the presence document it holds. */
function patched(from: string, diffBody: string): string {
  const document = parsePartialPidf(diffBody);
  if (document.kind !== 'diff') throw new Error('expected a pidf-diff');
  const result = applyPatch(presenceTree(from), document.operations);
  return renderPresence(getAttribute(result, 'entity')!, [result.children.filter(isElement)]);
}

function roundTrip(fromXml: string, toXml: string): void {
  const to = presenceTree(toXml);
  const diff = pidfDiffOf(presenceTree(fromXml), to, Number.MAX_SAFE_INTEGER);
  const expected = renderPresence(ENTITY, [to.children.filter(isElement)]);
  if (diff === undefined) return;
  expect(patched(fromXml, withVersion(diff, 7))).toBe(expected);
}

describe('pidf-diff (RFC 5261/5262)', { timeout: 60_000 }, () => {
  it('fuzz - applying diff(a, b) to a gives b exactly, children paired by id, moved, replaced, added and removed', () => {
    fuzzAssert(
      'apply(diff(a,b), a) = b',
      fc.property(children, children, (a, b) => {
        const from = renderPresence(ENTITY, [a]);
        const to = renderPresence(ENTITY, [b]);
        const diff = pidfDiffOf(presenceTree(from), presenceTree(to), Number.MAX_SAFE_INTEGER);
        expect(diff).toBeDefined();
        expect(patched(from, withVersion(diff!, 1))).toBe(to);
      }),
      5261,
      500,
    );
  });

  it('fuzz - any two generated PIDF documents of one entity: the diff, when there is one, rebuilds the second', () => {
    fuzzAssert(
      'apply(diff(a,b), a) = b for generated PIDF',
      fc.property(pidfDocument, pidfDocument, (first, second) => {
        const from = renderPidf({ ...parsePidf(first.xml), entity: ENTITY });
        const to = renderPidf({ ...parsePidf(second.xml), entity: ENTITY });
        roundTrip(from, to);
      }),
      5262,
      300,
    );
  });

  it('a status change is one replace of the text that changed, found through its tuple by id; unchanged children are not sent', () => {
    const from = renderPresence(ENTITY, [[tuple('a', 'open'), tuple('b', 'open'), person('p1', 'away')]]);
    const to = renderPresence(ENTITY, [[tuple('a', 'open'), tuple('b', 'closed'), person('p1', 'away')]]);
    const diff = withVersion(pidfDiffOf(presenceTree(from), presenceTree(to), from.length)!, 3);
    expect(diff).toContain('<p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf"');
    expect(diff).toContain('version="3"');
    expect(diff).toContain(`<p:replace sel="*/tuple[@id='b']/status[1]/basic[1]/text()">closed</p:replace></p:pidf-diff>`);
    expect(diff.match(/<p:replace /g)).toHaveLength(1);
    expect(diff).not.toContain('p1');
    expect(patched(from, diff)).toBe(to);
    // A fuller document (six services, a person, two devices): the diff of a status change stays the same size.
    const services = (basic: string) => ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => tuple(id, id === 'c' ? basic : 'open', `service ${id}`));
    const before = renderPresence(ENTITY, [[...services('open'), person('p1', 'busy'), device('d1'), device('d2')]]);
    const after = renderPresence(ENTITY, [[...services('closed'), person('p1', 'busy'), device('d1'), device('d2')]]);
    const small = withVersion(pidfDiffOf(presenceTree(before), presenceTree(after), after.length)!, 1);
    expect(patched(before, small)).toBe(after);
    console.info(`pidf-diff: a status change in a ${after.length} B document is a ${small.length} B pidf-diff`);
  });

  it('a child whose structure changed is replaced whole; one with a new attribute too', () => {
    const from = renderPresence(ENTITY, [[person('p1', 'away'), tuple('a', 'open'), tuple('c', 'open')]]);
    const to = renderPresence(ENTITY, [[person('p1', 'busy'), tuple('a', 'open', 'gone'), { ...tuple('c', 'open'), attributes: [{ ns: '', name: 'id', value: 'c' }, { ns: '', name: 'x', value: '1' }] }]]);
    const diff = withVersion(pidfDiffOf(presenceTree(from), presenceTree(to), Number.MAX_SAFE_INTEGER)!, 1);
    expect(diff).toContain(`<p:replace sel="*/dm:person[@id='p1']/rpid:activities[1]"><rpid:activities><rpid:busy/></rpid:activities></p:replace>`);
    expect(diff).toContain(`<p:replace sel="*/tuple[@id='a']"><tuple id="a">`);
    expect(diff).toContain(`<p:replace sel="*/tuple[@id='c']"><tuple id="c" x="1">`);
    expect(patched(from, diff)).toBe(to);
  });

  it('no diff when it would not be smaller than the full document, or the entity changed', () => {
    const from = renderPresence(ENTITY, [[tuple('a', 'open')]]);
    const to = renderPresence(ENTITY, [[tuple('b', 'closed')]]);
    expect(pidfDiffOf(presenceTree(from), presenceTree(to), 10)).toBeUndefined();
    expect(pidfDiffOf(presenceTree(from), presenceTree(renderPresence('pres:bob@example.com', [[tuple('a', 'open')]])), 10_000)).toBeUndefined();
  });

  it('pidf-full carries the presence children under the pidf-diff root, with entity and version', () => {
    const full = withVersion(pidfFullOf(presenceTree(renderPresence(ENTITY, [[tuple('a', 'open'), person('p1', 'busy')]]))), 0);
    expect(full).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<p:pidf-full xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff"/);
    expect(full).toContain(`entity="${ENTITY}" version="0"><tuple id="a">`);
    const read = parsePartialPidf(full);
    expect(read.kind).toBe('full');
    expect(read.version).toBe(0);
    expect(withVersion(pidfFullOf(presenceTree(withVersion(pidfFullOf((read as { presence: XmlElement }).presence), 0).replace('p:pidf-full', 'presence').replace('</p:pidf-full>', '</presence>'))), 0)).toBe(full);
  });
});

describe('RFC 5261 patch application', () => {
  const base = `<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="${ENTITY}">
  <tuple id="sg89ae"><status><basic>open</basic></status><contact priority="0.8">tel:09012345678</contact></tuple>
  <tuple id="cg231jcr"><status><basic>open</basic></status></tuple>
  <note>Full state</note>
  <dm:person id="p"><r:activities><r:busy/></r:activities></dm:person>
</presence>`;
  const diff = (ops: string, extraNs = '') =>
    `<?xml version="1.0"?><p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"${extraNs} entity="${ENTITY}" version="1">${ops}</p:pidf-diff>`;
  const apply = (ops: string, extraNs = '') => {
    const read = parsePartialPidf(diff(ops, extraNs));
    if (read.kind !== 'diff') throw new Error('not a diff');
    const result = applyPatch(presenceTree(base), read.operations);
    return renderPresence(ENTITY, [result.children.filter(isElement)]);
  };
  const failure = (ops: string) => {
    try {
      apply(ops);
    } catch (error) {
      expect(error).toBeInstanceOf(PatchError);
      return (error as PatchError).reason;
    }
    throw new Error('the patch applied');
  };

  it('adds before, after, prepended and appended; replaces text, attributes and elements; removes elements and attributes', () => {
    const out = apply(
      [
        `<p:add sel="presence/note" pos="before"><tuple id="new"><status><basic>open</basic></status></tuple></p:add>`,
        `<p:replace sel="*/tuple[@id='sg89ae']/status/basic/text()">closed</p:replace>`,
        `<p:replace sel="*/tuple[@id='sg89ae']/contact/@priority">0.7</p:replace>`,
        `<p:add sel="*/tuple[@id='cg231jcr']" type="@x">1</p:add>`,
        `<p:remove sel="/presence/tuple[2]"/>`,
        `<p:replace sel="*/d:person/r:activities" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model"><r:activities><r:away/></r:activities></p:replace>`,
        `<p:add sel="*" pos="prepend"><note>first</note></p:add>`,
        `<p:add sel="*"><note>last</note></p:add>`,
      ].join(''),
    );
    expect(out).toContain('<note>first</note><tuple id="sg89ae"><status><basic>closed</basic></status><contact priority="0.7">');
    expect(out).not.toContain('cg231jcr');
    expect(out).toContain('<tuple id="new"><status><basic>open</basic></status></tuple><note>Full state</note>');
    expect(out).toContain('<rpid:away/>');
    expect(out).toMatch(/<note>last<\/note><\/presence>$/);
  });

  it('refuses what it cannot apply, naming the RFC 5261 condition', () => {
    expect(failure(`<p:remove sel="*/tuple[@id='nope']"/>`)).toMatch(/<unlocated-node> nothing matches/);
    expect(failure(`<p:remove sel="*/tuple"/>`)).toMatch(/<unlocated-node> .* matches 2 elements/);
    expect(failure(`<p:remove sel="*"/>`)).toMatch(/<invalid-root-element-operation>/);
    expect(failure(`<p:remove sel="*/x:tuple"/>`)).toMatch(/<invalid-namespace-prefix> prefix x/);
    expect(failure(`<p:replace sel="*/tuple[@id='sg89ae']"><tuple id="a"/><tuple id="b"/></p:replace>`)).toMatch(/<invalid-patch-directive> .* exactly one element/);
    expect(failure(`<p:add sel="*/tuple[1]" pos="inside"><note/></p:add>`)).toMatch(/<invalid-attribute-value> pos="inside"/);
    expect(failure(`<p:remove sel="id('x')"/>`)).toMatch(/<unsupported-id-function>/);
    expect(failure(`<p:remove sel="*/comment()"/>`)).toMatch(/<invalid-node-types>/);
    expect(failure(`<p:frobnicate sel="*"/>`)).toMatch(/<invalid-diff-format>/);
  });

  it('refuses a body that is not pidf-full or pidf-diff, and one without entity', () => {
    expect(() => parsePartialPidf(base)).toThrow(/root element is not/);
    expect(() => parsePartialPidf('<p:pidf-diff xmlns:p="urn:ietf:params:xml:ns:pidf-diff"/>')).toThrow(/without entity/);
    expect(() => parsePartialPidf('<p:pidf-diff xmlns:p="urn:ietf:params:xml:ns:pidf-diff" entity="x" version="-1"/>')).toThrow(/version/);
  });
});

describe('hostile patches', { timeout: 60_000 }, () => {
  const token = fc.constantFrom('*', 'presence', 'tuple', 'status', 'basic', 'note', 'dm:person', 'x:y', '@id', '@x', 'text()', '[1]', '[0]', "[@id='a']", '[@id="b"]', "[.='open']", "[basic='open']", '[', ']', '/', '//', "'", 'id(', 'comment()', 'namespace::dm', '..', ' ', '|', '=');
  const selector = fc.array(token, { maxLength: 8 }).map((parts) => parts.join(''));
  const op = fc.tuple(fc.constantFrom('add', 'replace', 'remove', 'other'), selector, fc.constantFrom('', ' pos="before"', ' pos="after"', ' pos="prepend"', ' pos="x"', ' type="@y"', ' ws="both"'), fc.constantFrom('', 'text & more', '<tuple id="z"><status><basic>open</basic></status></tuple>', '<note/><note/>', '<x:y xmlns:x="urn:x"/>'));
  const base = renderPresence(ENTITY, [[tuple('a', 'open'), tuple('b', 'closed'), person('p1', 'away'), note('hi')]]);

  it('fuzz - any operation with any selector applies or is refused with a PidfError, never another exception', () => {
    fuzzAssert(
      'hostile patches are refused cleanly',
      fc.property(fc.array(op, { maxLength: 5 }), (ops) => {
        const body = `<p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="${ENTITY}" version="1">${ops
          .map(([kind, sel, attributes, content]) => `<p:${kind} sel="${sel.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"${attributes}>${content.replace(/&(?!amp;)/g, '&amp;')}</p:${kind}>`)
          .join('')}</p:pidf-diff>`;
        try {
          const read = parsePartialPidf(body);
          if (read.kind === 'diff') applyPatch(presenceTree(base), read.operations);
        } catch (error) {
          expect(error).toBeInstanceOf(PidfError);
        }
      }),
      5264,
      1000,
    );
  });
});
