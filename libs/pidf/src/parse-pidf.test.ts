import { describe, expect, it } from 'vitest';
import { DATA_MODEL_NS, PIDF_NS, RPID_NS, XML_NS } from './namespaces.js';
import { parsePidf } from './parse-pidf.js';
import { PidfError } from './pidf-error.js';
import { defaultPidfLimits } from './pidf-limits.js';
import type { PidfLimits } from './pidf-limits.js';
import { childElements, getAttribute, textContent } from './xml-node.js';

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const OPEN = `<presence xmlns="${PIDF_NS}" entity="pres:someone@example.com">`;
const TUPLE = '<tuple id="t1"><status><basic>open</basic></status></tuple>';

/** Returns the PidfError thrown by `run`, failing the test when nothing is thrown. */
function rejection(run: () => unknown): PidfError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PidfError);
    return error as PidfError;
  }
  throw new Error('expected a PidfError');
}

function reasonFor(xml: string, limits?: PidfLimits): string {
  return rejection(() => parsePidf(xml, limits)).reason;
}

describe('pidf parse', () => {
  it('pidf parse - reads the RFC 3863 example', () => {
    const doc = parsePidf(`${HEADER}
      <impp:presence xmlns:impp="${PIDF_NS}" entity="pres:someone@example.com">
        <impp:tuple id="sg89ae">
          <impp:status><impp:basic>open</impp:basic></impp:status>
          <impp:contact priority="0.8">tel:+09012345678</impp:contact>
        </impp:tuple>
        <impp:note xml:lang="en">I'll be in Tokyo next week</impp:note>
      </impp:presence>`);
    expect(doc.entity).toBe('pres:someone@example.com');
    expect(doc.tuples).toHaveLength(1);
    const tuple = doc.tuples[0]!;
    expect(getAttribute(tuple, 'id')).toBe('sg89ae');
    expect(childElements(tuple).map((e) => e.name)).toEqual(['status', 'contact']);
    expect(textContent(childElements(tuple, PIDF_NS, 'status')[0]!)).toBe('open');
    expect(doc.notes).toHaveLength(1);
    expect(getAttribute(doc.notes[0]!, 'lang', XML_NS)).toBe('en');
    expect(textContent(doc.notes[0]!)).toBe("I'll be in Tokyo next week");
  });

  it('pidf parse - splits persons, devices and other extensions', () => {
    const doc = parsePidf(`${HEADER}<presence xmlns="${PIDF_NS}" xmlns:dm="${DATA_MODEL_NS}"
        xmlns:rpid="${RPID_NS}" xmlns:x="urn:example:x" entity="sip:a@example.com">
      ${TUPLE}
      <dm:person id="p1"><rpid:activities><rpid:away/></rpid:activities></dm:person>
      <x:extra/>
      <dm:device id="d1"><dm:deviceID>urn:device:1</dm:deviceID></dm:device>
      <note>hi</note>
    </presence>`);
    expect(doc.tuples).toHaveLength(1);
    expect(doc.persons.map((p) => getAttribute(p, 'id'))).toEqual(['p1']);
    expect(doc.devices.map((d) => getAttribute(d, 'id'))).toEqual(['d1']);
    expect(doc.notes).toHaveLength(1);
    expect(doc.others).toEqual([{ ns: 'urn:example:x', name: 'extra', attributes: [], children: [] }]);
  });

  it('pidf parse - keeps unicode text, CDATA and character references', () => {
    const doc = parsePidf(
      `${OPEN}${TUPLE}<note>Zürich 東京 😀 &amp; &#x263A; <![CDATA[<raw>]]></note></presence>`,
    );
    expect(textContent(doc.notes[0]!)).toBe('Zürich 東京 😀 & ☺ <raw>');
    expect(doc.notes[0]!.children).toHaveLength(1);
  });

  it('pidf parse - drops indentation but keeps whitespace-only text content', () => {
    const doc = parsePidf(`${OPEN}\n  ${TUPLE}\n  <note> </note>\n</presence>`);
    expect(doc.tuples[0]!.children).toHaveLength(1);
    expect(doc.notes[0]!.children).toEqual([{ text: ' ' }]);
  });

  it('pidf parse - ignores comments and processing instructions', () => {
    const doc = parsePidf(`${HEADER}<!-- c -->${OPEN}<?app data?>${TUPLE}<!-- c --></presence>`);
    expect(doc.tuples).toHaveLength(1);
  });

  it('pidf parse - rejects input over maxBytes before parsing', () => {
    const limits = { ...defaultPidfLimits, maxBytes: 100 };
    // Not even well-formed: only the size check can produce this reason.
    expect(reasonFor('<'.repeat(101), limits)).toBe('PIDF body too large');
    expect(rejection(() => parsePidf('<'.repeat(101), limits)).kind).toBe('too-large');
  });

  it('pidf parse - counts maxBytes in UTF-8 bytes, not characters', () => {
    const xml = `${OPEN}${TUPLE}<note>${'é'.repeat(40)}</note></presence>`;
    const bytes = Buffer.byteLength(xml, 'utf8');
    expect(xml.length).toBeLessThan(bytes);
    expect(reasonFor(xml, { ...defaultPidfLimits, maxBytes: xml.length })).toBe('PIDF body too large');
    expect(parsePidf(xml, { ...defaultPidfLimits, maxBytes: bytes }).notes).toHaveLength(1);
  });

  it('pidf parse - rejects DOCTYPE', () => {
    expect(reasonFor(`${HEADER}<!DOCTYPE presence>${OPEN}${TUPLE}</presence>`)).toMatch(/DOCTYPE/);
  });

  it('pidf parse - rejects a billion laughs entity bomb quickly', () => {
    const entities = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) {
      entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    }
    const bomb = `${HEADER}<!DOCTYPE presence [${entities.join('')}]>${OPEN}<note>&lol9;</note></presence>`;
    const started = performance.now();
    const error = rejection(() => parsePidf(bomb));
    expect(performance.now() - started).toBeLessThan(100);
    expect(error.reason).toBe('Malformed PIDF: DOCTYPE not allowed');
    expect(error.kind).toBe('malformed');
  });

  it('pidf parse - rejects an external entity', () => {
    const xxe = `${HEADER}<!DOCTYPE presence [<!ENTITY x SYSTEM "file:///etc/passwd">]>${OPEN}${TUPLE}<note>&x;</note></presence>`;
    const started = performance.now();
    expect(reasonFor(xxe)).toBe('Malformed PIDF: DOCTYPE not allowed');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('pidf parse - rejects undefined entity references', () => {
    expect(reasonFor(`${OPEN}${TUPLE}<note>&x;</note></presence>`)).toBe(
      'Malformed PIDF: undefined entity reference',
    );
  });

  it.each([
    ['unclosed element', `${OPEN}${TUPLE}`],
    ['mismatched tags', `${OPEN}<tuple id="t"><status></tuple></status></presence>`],
    ['unbound prefix', `${OPEN}<x:foo/>${TUPLE}</presence>`],
    ['text before the root', `hello${OPEN}${TUPLE}</presence>`],
    ['text after the root', `${OPEN}${TUPLE}</presence>trailing`],
    ['two roots', `${OPEN}${TUPLE}</presence>${OPEN}</presence>`],
    ['empty input', ''],
    ['duplicate attribute', `<presence xmlns="${PIDF_NS}" entity="a" entity="b"/>`],
  ])('pidf parse - rejects malformed XML: %s', (_label, xml) => {
    expect(reasonFor(xml)).toBe('Malformed PIDF: not well-formed XML');
  });

  it('pidf parse - rejects nesting deeper than maxDepth, stopping early', () => {
    const limits = { ...defaultPidfLimits, maxDepth: 5 };
    const deep = `${OPEN}${TUPLE}<a:x xmlns:a="urn:a">${'<a:x>'.repeat(5)}`;
    // The document is never closed: rejecting on depth proves the parser stopped there.
    expect(reasonFor(deep, limits)).toBe('Malformed PIDF: nesting too deep');
    const ok = `${OPEN}<tuple id="t"><status><a:x xmlns:a="urn:a"><a:y/></a:x></status></tuple></presence>`;
    expect(parsePidf(ok, limits).tuples).toHaveLength(1);
  });

  it('pidf parse - rejects more than maxElements, stopping early', () => {
    const limits = { ...defaultPidfLimits, maxElements: 10 };
    const many = `${OPEN}${TUPLE}${'<note>n</note>'.repeat(7)}<<<garbage`;
    expect(reasonFor(many, limits)).toBe('Malformed PIDF: too many elements');
    const exact = `${OPEN}${TUPLE}${'<note>n</note>'.repeat(6)}</presence>`;
    expect(parsePidf(exact, limits).notes).toHaveLength(6);
  });

  it('pidf parse - rejects more than maxAttributes on one element', () => {
    const limits = { ...defaultPidfLimits, maxAttributes: 4 };
    const attrs = (n: number): string =>
      Array.from({ length: n }, (_, i) => ` a${i}="v"`).join('');
    expect(reasonFor(`${OPEN}<tuple id="t"${attrs(4)}><status/></tuple></presence>`, limits)).toBe(
      'Malformed PIDF: too many attributes',
    );
    expect(parsePidf(`${OPEN}<tuple id="t"${attrs(3)}><status/></tuple></presence>`, limits).tuples)
      .toHaveLength(1);
  });

  it('pidf parse - rejects a root outside the PIDF namespace', () => {
    const reason = reasonFor(`<presence xmlns="urn:example:other" entity="pres:a@b"/>`);
    expect(reason).toMatch(/root/);
    expect(reason).toContain(PIDF_NS);
    expect(reasonFor(`<presence entity="pres:a@b"/>`)).toMatch(/root/);
  });

  it('pidf parse - rejects a PIDF root other than presence', () => {
    expect(reasonFor(`<tuple xmlns="${PIDF_NS}" id="t"><status/></tuple>`)).toMatch(/root/);
  });

  it('pidf parse - rejects presence without entity', () => {
    expect(reasonFor(`<presence xmlns="${PIDF_NS}">${TUPLE}</presence>`)).toBe(
      'Invalid PIDF: presence without entity',
    );
    expect(reasonFor(`<presence xmlns="${PIDF_NS}" entity=" "/>`)).toBe(
      'Invalid PIDF: presence without entity',
    );
  });

  it('pidf parse - rejects tuple without id', () => {
    expect(reasonFor(`${OPEN}<tuple><status/></tuple></presence>`)).toBe(
      'Invalid PIDF: tuple without id',
    );
  });

  it('pidf parse - rejects tuple without status', () => {
    expect(reasonFor(`${OPEN}<tuple id="t"><contact>sip:a@b</contact></tuple></presence>`)).toBe(
      'Invalid PIDF: tuple without status',
    );
    // A status from another namespace does not count.
    const foreign = `${OPEN}<tuple id="t"><x:status xmlns:x="urn:x"/></tuple></presence>`;
    expect(reasonFor(foreign)).toBe('Invalid PIDF: tuple without status');
  });

  it('pidf parse - rejects person and device without id', () => {
    const dm = `xmlns:dm="${DATA_MODEL_NS}"`;
    expect(reasonFor(`${OPEN}<dm:person ${dm}/></presence>`)).toBe('Invalid PIDF: person without id');
    expect(reasonFor(`${OPEN}<dm:device ${dm}/></presence>`)).toBe('Invalid PIDF: device without id');
  });

  it('pidf parse - rejects duplicate ids of one kind', () => {
    expect(reasonFor(`${OPEN}${TUPLE}${TUPLE}</presence>`)).toBe('Invalid PIDF: duplicate tuple id');
  });
});
