import { applyMutations, fuzzAssert, mutations, pidfDocument } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composePidf } from './compose-pidf.js';
import { parsePidf } from './parse-pidf.js';
import { PidfError, type PidfErrorKind } from './pidf-error.js';
import { defaultPidfLimits } from './pidf-limits.js';
import { renderPidf } from './render-pidf.js';

/**
 * Properties of the PIDF reader and writer (RFC 3863, RFC 4479): generated
 * documents — tuples, persons, devices, notes, extensions, any prefixes —
 * read as written and survive rendering and composing; damaged ones, deep
 * nesting and entity tricks are refused with a PidfError of the right kind,
 * never another exception.
 */
const { maxDepth, maxBytes } = defaultPidfLimits;

function refusal(xml: string): PidfErrorKind | 'accepted' {
  try {
    parsePidf(xml);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(PidfError);
    return (error as PidfError).kind;
  }
}

/** XML-level damage: markup, references and declarations a hostile body might carry. */
const xmlSnippet = fc.constantFrom('<', '>', '&', '&lt', '&#0;', '&#x110000;', '&undefined;', '<![CDATA[', ']]>', '<!--', '-->', '<?pi x?>', '<!DOCTYPE presence>', '</presence>', '<presence>', 'xmlns=""', 'xmlns:p="urn:x"', '<p:x/>', '="', "'", '\u0000', '\uffff', '\ud800');

// Counts, not time, bound these: the timeout only keeps a busy CI machine from failing them.
describe('PIDF properties', { timeout: 60_000 }, () => {
  it('fuzz - a generated document reads as written: entity, tuples, notes, persons, devices, extensions (prefixes and declarations do not matter)', () => {
    fuzzAssert(
      'pidf reads as written',
      fc.property(pidfDocument, (written) => {
        expect(parsePidf(written.xml)).toEqual({
          entity: written.entity,
          tuples: written.tuples,
          notes: written.notes,
          persons: written.persons,
          devices: written.devices,
          others: written.others,
        });
      }),
      3863,
      400,
    );
  });

  it('fuzz - rendering and composing lose nothing the composer keeps', () => {
    fuzzAssert(
      'pidf render and compose round trip',
      fc.property(pidfDocument, pidfDocument, (first, second) => {
        const document = parsePidf(first.xml);
        expect(parsePidf(renderPidf(document))).toEqual(document);
        expect(parsePidf(composePidf(first.entity, [{ document, publishedAt: 1 }]))).toEqual(document);
        // Two publications: the union, the newer one winning for an id both carry (RFC 4479 §3.4).
        const other = parsePidf(second.xml);
        const composed = parsePidf(composePidf(first.entity, [{ document, publishedAt: 1 }, { document: other, publishedAt: 2 }]));
        const ids = (list: readonly { attributes: readonly { name: string; value: string }[] }[]) => list.map((e) => e.attributes.find((a) => a.name === 'id')?.value);
        expect(ids(composed.tuples)).toEqual([...new Set([...ids(document.tuples), ...ids(other.tuples)])]);
        for (const tuple of other.tuples) expect(composed.tuples).toContainEqual(tuple);
        expect(composed.notes).toEqual([...document.notes, ...other.notes]);
        expect(composed.others).toEqual([...document.others, ...other.others]);
      }),
      4479,
      150,
    );
  });

  it('fuzz - damaged documents are read or refused with a PidfError, never another exception', () => {
    fuzzAssert(
      'mutated pidf',
      fc.property(pidfDocument, mutations(4, 3_000), fc.array(fc.tuple(fc.nat(), xmlSnippet), { maxLength: 3 }), (written, damage, inserts) => {
        let xml = applyMutations(Buffer.from(written.xml, 'utf8'), damage).toString('utf8');
        for (const [at, snippet] of inserts) xml = xml.slice(0, at % (xml.length + 1)) + snippet + xml.slice(at % (xml.length + 1));
        refusal(xml);
      }),
      3864,
      700,
    );
  });

  it('fuzz - nesting past the limit, entity bombs, external and parameter entities are refused, whatever their size', () => {
    const deep = fc.integer({ min: maxDepth, max: 20_000 }).map((depth) => `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b">${'<x:e xmlns:x="urn:x">'.repeat(depth)}${'</x:e>'.repeat(depth)}</presence>`);
    const bomb = fc.record({ levels: fc.integer({ min: 1, max: 30 }), fanOut: fc.integer({ min: 2, max: 50 }) }).map(({ levels, fanOut }) => {
      const entities = ['<!ENTITY e0 "lol">'];
      for (let i = 1; i <= levels; i++) entities.push(`<!ENTITY e${i} "${`&e${i - 1};`.repeat(fanOut)}">`);
      return `<?xml version="1.0"?><!DOCTYPE presence [${entities.join('')}]><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"><note>&e${levels};</note></presence>`;
    });
    const external = fc.constantFrom(
      '<!DOCTYPE presence [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
      '<!DOCTYPE presence [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>',
      '<!DOCTYPE presence SYSTEM "http://127.0.0.1:1/pidf.dtd">',
    ).map((doctype) => `<?xml version="1.0"?>${doctype}<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"><note>&x;</note></presence>`);
    fuzzAssert(
      'deep nesting and entities refused',
      fc.property(fc.oneof(deep, bomb, external), (xml) => {
        const kind = refusal(xml);
        expect(kind, xml.slice(0, 200)).toBe(xml.length > maxBytes ? 'too-large' : xml.includes('<!DOCTYPE') ? 'malformed' : 'limit');
      }),
      4825,
      100,
    );
  });
});
