import { createPresenceMetrics } from '@presence/metrics';
import { mergeFilterSet, parseFilterDocument, type FilterSet } from '@presence/policy';
import { describe, expect, it } from 'vitest';
import { FilteredViews } from './filtered-views.js';

const ALICE = 'sip:alice@example.com';
const set = (filter: string): FilterSet =>
  mergeFilterSet(
    undefined,
    parseFilterDocument(`<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><ns-bindings><ns-binding prefix="p" urn="urn:ietf:params:xml:ns:pidf"/></ns-bindings>${filter}</filter-set>`),
  )!;
const bytes = (basic: string, priority = '0.5', note = 'n') =>
  Buffer.from(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t"><status><basic>${basic}</basic></status><contact priority="${priority}">sip:a@h</contact><note>${note}</note></tuple></presence>`);

describe('filtered views', () => {
  const basic = '<filter id="b"><what><include>//p:basic</include></what><trigger><changed>//p:basic</changed></trigger></filter>';

  it('filtered views - watchers with equal filters share one rendering per version; other filters and views get their own', () => {
    const views = new FilteredViews(createPresenceMetrics({ processMetrics: false }));
    const v1 = bytes('open');
    const one = views.bodyOf(set(basic), ALICE, '', v1);
    expect(views.bodyOf(set(basic), ALICE, '', v1)).toBe(one);
    expect(Buffer.from(one).toString()).toContain('<basic>open</basic>');
    expect(Buffer.from(one).toString()).not.toContain('note');
    expect(views.bodyOf(set(basic), ALICE, 'restricted', v1)).not.toBe(one);
    expect(views.bodyOf(set('<filter id="n"><what><include>//p:note</include></what></filter>'), ALICE, '', v1)).not.toBe(one);
    expect(views.size).toBe(3);
  });

  it('filtered views - the class decides once per version, against what it was last notified', () => {
    const metrics = createPresenceMetrics({ processMetrics: false });
    const views = new FilteredViews(metrics);
    const filter = set(basic);
    views.bodyOf(filter, ALICE, '', bytes('open'));
    const noteOnly = bytes('open', '0.5', 'other');
    expect(views.wants(filter, ALICE, '', noteOnly)).toBe(false);
    expect(views.wants(filter, ALICE, '', noteOnly)).toBe(false);
    const closed = bytes('closed');
    expect(views.wants(filter, ALICE, '', closed)).toBe(true);
    // Back to open: compared with closed (last notified), so it fires.
    expect(views.wants(filter, ALICE, '', bytes('open'))).toBe(true);
  });

  it('filtered views - changed by accumulates drift since the last NOTIFY, not since the previous version', () => {
    const views = new FilteredViews(createPresenceMetrics({ processMetrics: false }));
    const filter = set('<filter id="c"><trigger><changed by="0.3">//p:contact/@priority</changed></trigger></filter>');
    views.bodyOf(filter, ALICE, '', bytes('open', '0.1'));
    expect(views.wants(filter, ALICE, '', bytes('open', '0.2'))).toBe(false);
    expect(views.wants(filter, ALICE, '', bytes('open', '0.3'))).toBe(false);
    expect(views.wants(filter, ALICE, '', bytes('open', '0.4'))).toBe(true);
    expect(views.wants(filter, ALICE, '', bytes('open', '0.5'))).toBe(false);
  });

  it('filtered views - a filter for another resource leaves the view as it is', () => {
    const views = new FilteredViews(createPresenceMetrics({ processMetrics: false }));
    const other = set('<filter id="o" uri="sip:bob@example.com"><what><include>//p:basic</include></what></filter>');
    const v1 = bytes('open');
    expect(views.bodyOf(other, ALICE, '', v1)).toBe(v1);
    expect(views.wants(other, ALICE, '', bytes('open', '0.9'))).toBe(true);
  });
});
