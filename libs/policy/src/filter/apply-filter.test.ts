import { parsePidf, parseXmlTree, defaultPidfLimits, type XmlElement } from '@presence/pidf';
import { describe, expect, it } from 'vitest';
import { activeFilters, changeNotifies, filterDocument, triggerFires } from './apply-filter.js';
import { BASIC_STATUS_FILTER, filterSet, presence } from './filter-test-documents.js';
import { mergeFilterSet, parseFilterDocument, type FilterSet } from './filter-set.js';

const ALICE = 'sip:alice@example.com';

function set(xml: string): FilterSet {
  return mergeFilterSet(undefined, parseFilterDocument(xml))!;
}

function tree(xml: string): XmlElement {
  return parseXmlTree(xml, { limits: defaultPidfLimits });
}

function filtered(filters: FilterSet, xml: string): string {
  const out = filterDocument(activeFilters(filters, ALICE), tree(xml), ALICE)!;
  // The result is itself a valid PIDF document.
  parsePidf(out);
  return out;
}

function notifies(filters: FilterSet, before: string, after: string): boolean {
  const active = activeFilters(filters, ALICE);
  const version = (xml: string) => ({ root: tree(xml), body: filterDocument(active, tree(xml), ALICE)! });
  return changeNotifies(active, version(before), version(after));
}

describe('filter evaluation', () => {
  it('filter - include keeps the selected element inside its ancestors, ids kept', () => {
    const out = filtered(set(BASIC_STATUS_FILTER), presence('open'));
    expect(out).toContain('<tuple id="t1"><status><basic>open</basic></status></tuple>');
    expect(out).toContain('<tuple id="t2"><status><basic>closed</basic></status></tuple>');
    expect(out).not.toContain('note');
    expect(out).not.toContain('contact');
    expect(out).not.toContain('person');
    expect(out).toContain('entity="sip:alice@example.com"');
  });

  it('filter - predicates select by attribute, by child value and by position', () => {
    const byId = filtered(set(filterSet('<filter id="f"><what><include>/pidf:presence/pidf:tuple[@id="t2"]</include></what></filter>')), presence('open'));
    expect(byId).toContain('id="t2"');
    expect(byId).not.toContain('id="t1"');
    const byValue = filtered(set(filterSet('<filter id="f"><what><include>//pidf:tuple[pidf:status/pidf:basic="open" and pidf:contact]</include></what></filter>')), presence('open'));
    expect(byValue).toContain('id="t1"');
    expect(byValue).not.toContain('id="t2"');
    const byPosition = filtered(set(filterSet('<filter id="f"><what><include>/presence/tuple[2]/status</include></what></filter>')), presence('open'));
    expect(byPosition).toContain('<tuple id="t2"><status>');
    expect(byPosition).not.toContain('id="t1"');
  });

  it('filter - exclude removes from what is included; without include, from the whole document', () => {
    const out = filtered(set(filterSet('<filter id="f"><what><exclude>//pidf:note</exclude><exclude>//pidf:contact/@priority</exclude></what></filter>')), presence('open'));
    expect(out).not.toContain('note');
    expect(out).not.toContain('priority');
    expect(out).toContain('<contact>sip:alice@192.0.2.1</contact>');
    expect(out).toContain('rpid:busy');
  });

  it('filter - a namespace include takes every element of it (with its ancestors)', () => {
    const out = filtered(set(filterSet('<filter id="f"><what><include type="namespace">urn:ietf:params:xml:ns:pidf:rpid</include></what></filter>')), presence('open'));
    expect(out).toContain('<dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities></dm:person>');
    expect(out).not.toContain('tuple');
  });

  it('filter - several filters give the union of what each selects; a disabled one selects nothing', () => {
    const both = set(filterSet('<filter id="a"><what><include>//pidf:basic</include></what></filter>', '<filter id="b"><what><include>//pidf:note</include></what></filter>', '<filter id="c" enabled="false"><what><include>//dm:person</include></what></filter>'));
    const out = filtered(both, presence('open'));
    expect(out).toContain('<basic>open</basic>');
    expect(out).toContain('<note>at desk</note>');
    expect(out).not.toContain('person');
  });

  it('filter - a filter for another resource does not apply; one for this domain does', () => {
    expect(activeFilters(set(filterSet('<filter id="a" uri="sip:bob@example.com"><what><include>//pidf:basic</include></what></filter>')), ALICE)).toHaveLength(0);
    expect(activeFilters(set(filterSet('<filter id="a" uri="sip:alice@EXAMPLE.com"><what><include>//pidf:basic</include></what></filter>')), ALICE)).toHaveLength(1);
    expect(activeFilters(set(filterSet('<filter id="a" domain="example.com"><what><include>//pidf:basic</include></what></filter>')), ALICE)).toHaveLength(1);
  });

  it('trigger - changed fires only when the basic status changes, not on other changes', () => {
    const basic = set(BASIC_STATUS_FILTER);
    expect(notifies(basic, presence('open'), presence('closed'))).toBe(true);
    expect(notifies(basic, presence('open', 'at desk'), presence('open', 'in a meeting', 'away'))).toBe(false);
    expect(notifies(basic, presence('open'), presence('open', 'x', 'busy', 'open'))).toBe(true);
    // Offline (no tuple) to online and back: the status changed from and to nothing.
    const offline = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.com"/>';
    expect(notifies(basic, offline, presence('open'))).toBe(true);
    expect(notifies(basic, presence('open'), offline)).toBe(true);
    const toClosed = set(filterSet('<filter id="f"><trigger><changed to="closed">//pidf:basic</changed></trigger></filter>'));
    expect(notifies(toClosed, offline, presence('open', 'n', 'busy', 'open'))).toBe(false);
  });

  it('trigger - from, to and by narrow changed', () => {
    const f = (attrs: string, path = '//pidf:tuple[@id="t1"]/pidf:status/pidf:basic') => set(filterSet(`<filter id="f"><trigger><changed ${attrs}>${path}</changed></trigger></filter>`)).filters[0]!;
    expect(triggerFires(f('from="open" to="closed"'), tree(presence('open')), tree(presence('closed')))).toBe(true);
    expect(triggerFires(f('from="closed"'), tree(presence('open')), tree(presence('closed')))).toBe(false);
    expect(triggerFires(f('to="open"'), tree(presence('open')), tree(presence('closed')))).toBe(false);
    const priority = (p: string) => tree(presence('open').replace('priority="0.8"', `priority="${p}"`));
    expect(triggerFires(f('by="0.5"', '//pidf:contact/@priority'), priority('0.8'), priority('0.5'))).toBe(false);
    expect(triggerFires(f('by="0.5"', '//pidf:contact/@priority'), priority('0.8'), priority('0.2'))).toBe(true);
  });

  it('trigger - added and removed fire on nodes with no pair in the other version; conditions in one trigger are and-ed', () => {
    const withoutT2 = presence('open').replace(/<tuple id="t2">.*?<\/tuple>/s, '');
    const added = set(filterSet('<filter id="f"><trigger><added>/pidf:presence/pidf:tuple</added></trigger></filter>')).filters[0]!;
    const removed = set(filterSet('<filter id="f"><trigger><removed>/pidf:presence/pidf:tuple</removed></trigger></filter>')).filters[0]!;
    expect(triggerFires(added, tree(withoutT2), tree(presence('open')))).toBe(true);
    expect(triggerFires(added, tree(presence('open')), tree(withoutT2))).toBe(false);
    expect(triggerFires(removed, tree(presence('open')), tree(withoutT2))).toBe(true);
    const both = set(filterSet('<filter id="f"><trigger><added>/pidf:presence/pidf:tuple</added><changed>//pidf:note</changed></trigger></filter>')).filters[0]!;
    expect(triggerFires(both, tree(withoutT2), tree(presence('open')))).toBe(false);
    expect(triggerFires(both, tree(withoutT2), tree(presence('open', 'gone')))).toBe(true);
  });

  it('trigger - a filter without trigger notifies when what it selects changes', () => {
    const notes = set(filterSet('<filter id="f"><what><include>//pidf:note</include></what></filter>'));
    expect(notifies(notes, presence('open', 'a'), presence('closed', 'a'))).toBe(false);
    expect(notifies(notes, presence('open', 'a'), presence('open', 'b'))).toBe(true);
  });
});
