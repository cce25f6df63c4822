import { seededRandom } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { IndexedMinHeap } from './indexed-min-heap.js';

function collect(heap: IndexedMinHeap, maxAt: number, limit: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  heap.ascending(maxAt, limit, (key, at) => void out.push([key, at]));
  return out;
}

const byTimeThenKey = (a: [string, number], b: [string, number]): number => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

describe('IndexedMinHeap', () => {
  it('heap - orders by time, then key, and peeks the earliest', () => {
    const heap = new IndexedMinHeap();
    heap.set('b', 20);
    heap.set('c', 10);
    heap.set('a', 20);
    expect(heap.peekKey()).toBe('c');
    expect(heap.peekTime()).toBe(10);
    expect(collect(heap, Infinity, 10)).toEqual([['c', 10], ['a', 20], ['b', 20]]);
  });

  it('heap - set moves an existing key, delete removes it', () => {
    const heap = new IndexedMinHeap();
    heap.set('x', 5);
    heap.set('y', 7);
    heap.set('x', 9);
    expect(heap.size).toBe(2);
    expect(heap.timeOf('x')).toBe(9);
    expect(heap.peekKey()).toBe('y');
    expect(heap.delete('y')).toBe(true);
    expect(heap.delete('y')).toBe(false);
    expect(heap.peekKey()).toBe('x');
    expect(heap.has('y')).toBe(false);
  });

  it('heap - ascending stops at maxAt and limit and leaves the heap unchanged', () => {
    const heap = new IndexedMinHeap();
    for (let i = 0; i < 10; i++) heap.set(`k${i}`, 10 - i);
    expect(collect(heap, 4, 100).map(([, at]) => at)).toEqual([1, 2, 3, 4]);
    expect(collect(heap, 100, 3).map(([, at]) => at)).toEqual([1, 2, 3]);
    expect(collect(heap, 0, 100)).toEqual([]);
    expect(collect(heap, 100, 0)).toEqual([]);
    expect(heap.size).toBe(10);
  });

  it('heap - random operations agree with a sorted reference', () => {
    const next = seededRandom(42);
    const heap = new IndexedMinHeap();
    const reference = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const key = `k${Math.floor(next() * 500)}`;
      const roll = next();
      if (roll < 0.6) {
        const at = Math.floor(next() * 1_000);
        heap.set(key, at);
        reference.set(key, at);
      } else if (roll < 0.9) {
        expect(heap.delete(key)).toBe(reference.delete(key));
      } else {
        const maxAt = Math.floor(next() * 1_000);
        const limit = Math.floor(next() * 50);
        const expected = [...reference.entries()].sort(byTimeThenKey).filter(([, at]) => at <= maxAt).slice(0, limit);
        expect(collect(heap, maxAt, limit)).toEqual(expected);
      }
      expect(heap.size).toBe(reference.size);
    }
    const sorted = [...reference.entries()].sort(byTimeThenKey);
    expect(heap.peekKey()).toBe(sorted[0]?.[0]);
  });
});
