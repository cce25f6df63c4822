import { parsePidf, parseXmlTree, defaultPidfLimits } from '@presence/pidf';
import { applyMutations, fuzzAssert, mutations, pidfDocument } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../policy-error.js';
import { activeFilters, filterDocument, triggerFires } from './apply-filter.js';
import { UnsupportedFilterError } from './filter-error.js';
import { BASIC_STATUS_FILTER, filterSet } from './filter-test-documents.js';
import { filterSetOf, mergeFilterSet, parseFilterDocument } from './filter-set.js';

/**
 * Properties of the filter parser (RFC 4661) and of evaluation over
 * generated PIDF: damaged bodies are refused with a PolicyError only,
 * expressions of the subset always compile and evaluate, and what a filter
 * selects is a fixed point (filtering the result again changes nothing).
 */
const ALICE = 'sip:alice@example.com';

const name = fc.constantFrom('pidf:tuple', 'pidf:status', 'pidf:basic', 'pidf:note', 'pidf:contact', 'dm:person', 'dm:device', 'rpid:activities', '*', 'tuple', 'status', 'basic', 'note');
const predicate = fc.oneof(
  fc.constant(''),
  // Positions are left out: filtering drops siblings, so `[2]` of the result is another node (no fixed point).
  fc.constantFrom('[@id="t1"]', '[@id]', '[@id="t1" or @id="t2"]', '[(@id) and @id!="zz"]', '[pidf:status]'),
);
const step = fc.tuple(fc.constantFrom('/', '//'), name, predicate).map(([sep, n, p]) => `${sep}${n}${p}`);
/** Absolute paths of the subset, optionally ending in an attribute step. */
const expression = fc.tuple(fc.array(step, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '/@id', '/@priority')).map(([steps, attr]) => steps.join('') + attr);

const filterOf = fc.tuple(fc.array(expression, { minLength: 1, maxLength: 3 }), fc.array(expression, { maxLength: 2 })).map(([include, exclude]) =>
  filterSet(`<filter id="f"><what>${include.map((e) => `<include>${e}</include>`).join('')}${exclude.map((e) => `<exclude>${e}</exclude>`).join('')}</what></filter>`),
);

describe('filter properties', { timeout: 60_000 }, () => {
  it('fuzz - damaged filter documents are read or refused with a PolicyError, never another exception', () => {
    const damaged = fc.tuple(mutations(4, 3_000), fc.array(fc.tuple(fc.nat(), fc.constantFrom('<', '&', '"', '[', ']', '(', '::', '|', '/', '@', '<!DOCTYPE r>', 'pidf:')), { maxLength: 3 })).map(([damage, inserts]) => {
      let xml = applyMutations(Buffer.from(BASIC_STATUS_FILTER, 'utf8'), damage).toString('utf8');
      for (const [at, snippet] of inserts) {
        const i = at % (xml.length + 1);
        xml = xml.slice(0, i) + snippet + xml.slice(i);
      }
      return xml;
    });
    fuzzAssert(
      'mutated simple-filter',
      fc.property(damaged, (xml) => {
        try {
          mergeFilterSet(undefined, parseFilterDocument(xml));
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
        }
      }),
      20261132,
      1_500,
    );
  });

  it('property - every expression of the subset compiles, and filtering any PIDF gives a PIDF document that filtering again leaves as it is', () => {
    fuzzAssert(
      'filter fixed point',
      fc.property(filterOf, pidfDocument, (xml, generated) => {
        const filters = activeFilters(mergeFilterSet(undefined, parseFilterDocument(xml))!, ALICE);
        const once = filterDocument(filters, parseXmlTree(generated.xml, { limits: defaultPidfLimits }), ALICE)!;
        parsePidf(once);
        const twice = filterDocument(filters, parseXmlTree(once, { limits: defaultPidfLimits }), ALICE)!;
        expect(twice).toBe(once);
      }),
      20261133,
      400,
    );
  });

  it('property - a filter set survives its canonical document (what a dialog mirror stores): same filters, same digest', () => {
    const trigger = fc.tuple(fc.constantFrom('changed from="open"', 'added', 'removed', 'changed by="0.5"'), expression).map(([kind, e]) => `<trigger><${kind}>${e}</${kind.split(' ')[0]}></trigger>`);
    const filter = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean(), filterOf, fc.array(trigger, { maxLength: 2 })).map(([id, enabled, what, triggers]) =>
      what.replace('<filter id="f">', `<filter id="${id}"${enabled ? '' : ' enabled="false"'}>`).replace('</what></filter>', `</what>${triggers.join('')}</filter>`),
    );
    fuzzAssert(
      'canonical round trip',
      fc.property(filter, filter, (first, second) => {
        const set = mergeFilterSet(mergeFilterSet(undefined, parseFilterDocument(first)), parseFilterDocument(second))!;
        const again = filterSetOf(set.document)!;
        expect(again.document).toBe(set.document);
        expect(again.digest).toBe(set.digest);
        expect(again.filters.map((f) => f.id)).toEqual(set.filters.map((f) => f.id));
      }),
      20261136,
      300,
    );
  });

  it('property - a trigger never fires between a document and itself', () => {
    const trigger = fc.tuple(fc.constantFrom('changed', 'added', 'removed'), expression).map(([kind, e]) => filterSet(`<filter id="f"><trigger><${kind}>${e}</${kind}></trigger></filter>`));
    fuzzAssert(
      'trigger on no change',
      fc.property(trigger, pidfDocument, (xml, generated) => {
        const filter = mergeFilterSet(undefined, parseFilterDocument(xml))!.filters[0]!;
        const root = parseXmlTree(generated.xml, { limits: defaultPidfLimits });
        expect(triggerFires(filter, root, parseXmlTree(generated.xml, { limits: defaultPidfLimits }))).toBe(false);
      }),
      20261134,
      400,
    );
  });

  it('property - XPath outside the subset is refused as unsupported (488), never as malformed', () => {
    const outside = fc.tuple(expression, fc.constantFrom('[contains(., "a")]', '/..', '/child::x', ' | //pidf:note', '[@id > 1]', '[$v]', '[last()]')).map(([e, tail]) => e + tail);
    fuzzAssert(
      'unsupported xpath',
      fc.property(outside, (e) => {
        expect(() => parseFilterDocument(filterSet(`<filter id="f"><what><include>${e.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</include></what></filter>`))).toThrow(UnsupportedFilterError);
      }),
      20261135,
      300,
    );
  });
});
