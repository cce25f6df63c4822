import { describe, expect, it } from 'vitest';
import { PolicyError } from '../policy-error.js';
import { UnsupportedFilterError } from './filter-error.js';
import { BASIC_STATUS_FILTER, filterSet } from './filter-test-documents.js';
import { MAX_FILTERS, mergeFilterSet, parseFilterDocument } from './filter-set.js';

function refusal(xml: string): PolicyError {
  try {
    parseFilterDocument(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected the filter to be refused');
}

describe('filter document', () => {
  it('filter - reads what, trigger and namespace bindings (RFC 4661)', () => {
    const [op] = parseFilterDocument(BASIC_STATUS_FILTER);
    expect(op).toMatchObject({ op: 'put', filter: { id: 'basic', enabled: true, uri: undefined, domain: undefined } });
    if (op?.op !== 'put') throw new Error('put expected');
    expect(op.filter.what?.include).toHaveLength(1);
    expect(op.filter.triggers).toHaveLength(1);
    expect(op.filter.triggers[0]![0]).toMatchObject({ kind: 'changed', source: '/pidf:presence/pidf:tuple/pidf:status/pidf:basic' });
  });

  it('filter - remove, enabled, from/to/by and namespace selectors', () => {
    const ops = parseFilterDocument(
      filterSet(
        '<filter id="a" remove="true"/>',
        '<filter id="b" enabled="false"><what><include type="namespace">urn:ietf:params:xml:ns:pidf:rpid</include></what></filter>',
        '<filter id="c"><trigger><changed from="open" to="closed" by="1">//pidf:basic</changed><added>//dm:person</added></trigger></filter>',
      ),
    );
    expect(ops.map((o) => o.op)).toEqual(['remove', 'put', 'put']);
    expect(ops[1]).toMatchObject({ filter: { enabled: false, what: { include: [{ type: 'namespace', uri: 'urn:ietf:params:xml:ns:pidf:rpid' }] } } });
    expect(ops[2]).toMatchObject({ filter: { triggers: [[{ kind: 'changed', from: 'open', to: 'closed', by: 1 }, { kind: 'added' }]] } });
  });

  it.each([
    ['a filter without id', filterSet('<filter><what><include>/presence</include></what></filter>'), 'without id'],
    ['a filter with neither what nor trigger', filterSet('<filter id="x"/>'), 'neither'],
    ['uri and domain together', filterSet('<filter id="x" uri="sip:a@b" domain="b"><what><include>/presence</include></what></filter>'), 'both uri and domain'],
    ['a duplicate id', filterSet('<filter id="x"><what><include>/presence</include></what></filter>', '<filter id="x"><what><include>/presence</include></what></filter>'), 'duplicate'],
    ['an unbound prefix', filterSet('<filter id="x"><what><include>/zz:presence</include></what></filter>'), "prefix 'zz'"],
    ['a bad boolean', filterSet('<filter id="x" enabled="yes"><what><include>/presence</include></what></filter>'), 'not a boolean'],
    ['a non-numeric by', filterSet('<filter id="x"><trigger><changed by="lots">//pidf:basic</changed></trigger></filter>'), 'not a number'],
    ['an unknown selector type', filterSet('<filter id="x"><what><include type="regex">.*</include></what></filter>'), "type 'regex'"],
    ['another root', '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>', 'root element'],
    ['broken XML', '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="x">', 'not well-formed'],
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a "b">]><filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"/>', 'DOCTYPE'],
    ['an unclosed literal', filterSet('<filter id="x"><what><include>//pidf:tuple[@id="a]</include></what></filter>'), 'literal'],
  ])('filter - %s is malformed (400)', (_name, xml, reason) => {
    const error = refusal(xml);
    expect(error).not.toBeInstanceOf(UnsupportedFilterError);
    expect(error.reason).toContain(reason);
  });

  it.each([
    ['a function', '//pidf:tuple[not(@id = "a")]', 'function not()'],
    ['an axis', '/pidf:presence/child::pidf:tuple', "'::'"],
    ['a union', '//pidf:basic | //pidf:note', "'|'"],
    ['a parent step', '//pidf:basic/..', "'..'"],
    ['a comparison operator', '//pidf:contact[@priority > 0.5]', "'>'"],
  ])('filter - XPath with %s cannot be processed (488)', (_name, expression, reason) => {
    const error = refusal(filterSet(`<filter id="x"><what><include>${expression.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</include></what></filter>`));
    expect(error).toBeInstanceOf(UnsupportedFilterError);
    expect(error.reason).toContain(reason);
  });

  it('filter - another package or an extension element cannot be processed (488)', () => {
    expect(refusal('<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter" package="dialog"/>')).toBeInstanceOf(UnsupportedFilterError);
    expect(refusal(filterSet('<filter id="x" xmlns:e="urn:example:ext"><e:when>soon</e:when><what><include>/presence</include></what></filter>'))).toBeInstanceOf(UnsupportedFilterError);
  });
});

describe('filter set (RFC 4660 §3.3.3: filters by id across refreshes)', () => {
  const a = filterSet('<filter id="a"><what><include>//pidf:basic</include></what></filter>');
  const b = filterSet('<filter id="b"><what><include>//pidf:note</include></what></filter>');

  it('filter set - new ids add, a held id replaces, remove drops, the last removal leaves no filter', () => {
    const first = mergeFilterSet(undefined, parseFilterDocument(a))!;
    const both = mergeFilterSet(first, parseFilterDocument(b))!;
    expect(both.filters.map((f) => f.id)).toEqual(['a', 'b']);
    const replaced = mergeFilterSet(both, parseFilterDocument(filterSet('<filter id="a"><what><include>//pidf:contact</include></what></filter>')))!;
    expect(replaced.filters.map((f) => f.what?.include[0])).toMatchObject([{ source: '//pidf:contact' }, { source: '//pidf:note' }]);
    const removed = mergeFilterSet(replaced, parseFilterDocument(filterSet('<filter id="a" remove="true"/>')))!;
    expect(removed.filters.map((f) => f.id)).toEqual(['b']);
    expect(mergeFilterSet(removed, parseFilterDocument(filterSet('<filter id="b" remove="true"/>')))).toBeUndefined();
  });

  it('filter set - equal filters have equal digests, different ones differ', () => {
    const one = mergeFilterSet(undefined, parseFilterDocument(a))!;
    const again = mergeFilterSet(undefined, parseFilterDocument(a))!;
    const other = mergeFilterSet(undefined, parseFilterDocument(b))!;
    expect(one.digest).toBe(again.digest);
    expect(one.digest).not.toBe(other.digest);
  });

  it('filter set - more filters than the bound cannot be processed (488)', () => {
    const many = Array.from({ length: MAX_FILTERS + 1 }, (_, i) => `<filter id="f${i}"><what><include>//pidf:basic</include></what></filter>`);
    expect(() => mergeFilterSet(undefined, parseFilterDocument(filterSet(...many)))).toThrow(UnsupportedFilterError);
  });
});
