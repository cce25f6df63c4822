import { describe, expect, it } from 'vitest';
import { RecentMap } from './recent-map.js';

describe('RecentMap', () => {
  it('RecentMap - keeps at most capacity entries, dropping the least recently used', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
    expect(map.size).toBe(2);
  });

  it('RecentMap - set replaces a value and refreshes its recency; delete and clear forget', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    map.set('c', 3);
    expect(map.get('a')).toBe(10);
    expect(map.get('b')).toBeUndefined();
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
  });

  it('RecentMap - refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentMap(0)).toThrow(/positive integer/);
    expect(() => new RecentMap(1.5)).toThrow(/positive integer/);
  });

  it('RecentMap - with a weight budget, drops the least recently used until the summed weight fits', () => {
    const map = new RecentMap<string, string>(100, { max: 10, weigh: (_key, value) => value.length });
    map.set('a', 'xxxx');
    map.set('b', 'xxxx');
    expect(map.weight).toBe(8);
    map.get('a'); // b is now the oldest
    map.set('c', 'xxx');
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe('xxxx');
    expect(map.get('c')).toBe('xxx');
    expect(map.weight).toBe(7);
    map.set('a', 'x'); // replacing a value re-weighs it
    expect(map.weight).toBe(4);
    map.delete('c');
    expect(map.weight).toBe(1);
  });

  it('RecentMap - a value heavier than the whole budget is not kept, and flushes nothing', () => {
    const map = new RecentMap<string, string>(100, { max: 10, weigh: (_key, value) => value.length });
    map.set('a', 'xxxx');
    map.set('big', 'x'.repeat(11));
    expect(map.get('big')).toBeUndefined();
    expect(map.get('a')).toBe('xxxx');
    expect(map.weight).toBe(4);
    expect(() => new RecentMap(1, { max: 0, weigh: () => 1 })).toThrow(/budget must be positive/);
  });
});
