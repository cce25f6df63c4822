import { seededRandom } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { ExpiryQueue, type Expiring } from './expiry-queue.js';

interface Entry extends Expiring {
  expiresAt: number;
}

const entry = (id: string, expiresAt: number): Entry => ({ id, expiresAt, expirySlot: -1 });

/** Empties the queue in order. */
function drain(queue: ExpiryQueue<Entry>): string[] {
  const out: string[] = [];
  for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
    queue.delete(next);
    out.push(next.id);
  }
  return out;
}

describe('ExpiryQueue', () => {
  it('expiry queue - orders by time, then id', () => {
    const queue = new ExpiryQueue<Entry>();
    for (const e of [entry('b', 20), entry('c', 10), entry('a', 20)]) queue.set(e);
    expect(queue.peek()?.id).toBe('c');
    expect(drain(queue)).toEqual(['c', 'a', 'b']);
    expect(queue.size).toBe(0);
  });

  it('expiry queue - set again moves a changed entry, delete takes it out once', () => {
    const queue = new ExpiryQueue<Entry>();
    const x = entry('x', 5);
    const y = entry('y', 7);
    queue.set(x);
    queue.set(y);
    x.expiresAt = 9;
    queue.set(x);
    expect(queue.size).toBe(2);
    expect(queue.peek()).toBe(y);
    expect(queue.delete(y)).toBe(true);
    expect(queue.delete(y)).toBe(false);
    expect(y.expirySlot).toBe(-1);
    expect(queue.peek()).toBe(x);
  });

  it('expiry queue - random operations agree with a sorted reference', () => {
    const next = seededRandom(7);
    const queue = new ExpiryQueue<Entry>();
    const entries = Array.from({ length: 300 }, (_, i) => entry(`k${i}`, 0));
    const queued = new Set<Entry>();
    for (let step = 0; step < 5_000; step++) {
      const e = entries[Math.floor(next() * entries.length)]!;
      if (next() < 0.65) {
        e.expiresAt = Math.floor(next() * 1_000);
        queue.set(e);
        queued.add(e);
      } else {
        expect(queue.delete(e)).toBe(queued.delete(e));
      }
      const earliest = [...queued].sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1))[0];
      expect(queue.peek()).toBe(earliest);
      expect(queue.size).toBe(queued.size);
    }
    const expected = [...queued].sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1)).map((e) => e.id);
    expect(drain(queue)).toEqual(expected);
  });
});
