import { mergeFilterSet, parseFilterDocument } from '@presence/policy';
import { describe, expect, it } from 'vitest';
import { FilterSets, MAX_SHARED_FILTER_SETS } from './filter-sets.js';

const set = (path: string) => mergeFilterSet(undefined, parseFilterDocument(`<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="f"><what><include>${path}</include></what></filter></filter-set>`))!;

describe('filter sets', () => {
  it('filter sets - equal filters parsed apart come back as one object; different ones stay apart', () => {
    const sets = new FilterSets();
    const first = sets.intern(set('//basic'));
    expect(sets.intern(set('//basic'))).toBe(first);
    expect(sets.intern(set('//note'))).not.toBe(first);
    expect(sets.intern(undefined)).toBeUndefined();
  });

  it('filter sets - bounded: past the bound the least recently used is let go', () => {
    const sets = new FilterSets();
    const kept = sets.intern(set('//basic'));
    for (let i = 0; i < MAX_SHARED_FILTER_SETS; i++) sets.intern(set(`//n${i}`));
    expect(sets.size).toBe(MAX_SHARED_FILTER_SETS);
    expect(sets.intern(set('//basic'))).not.toBe(kept);
  });
});
