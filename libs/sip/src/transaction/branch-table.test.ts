import { describe, expect, it } from 'vitest';
import { BranchTable, sequenceOf } from './branch-table.js';

const tx = (branch: string) => ({ branch });

describe('BranchTable', () => {
  it('branch table - draws branches that carry their sequence after the random part and before the mark', () => {
    const table = new BranchTable<{ branch: string }>();
    expect(table.draw('z9hG4bKabc', '')).toBe('z9hG4bKabc_0');
    expect(table.draw('z9hG4bKkey.abc', '.w1')).toBe('z9hG4bKkey.abc_1.w1');
    expect(sequenceOf('z9hG4bKkey.abc_1.w1')).toBe(1);
    expect(sequenceOf(`z9hG4bKx_${(123456789).toString(36)}`)).toBe(123456789);
  });

  it('branch table - reads no sequence from branches it did not make', () => {
    for (const branch of ['z9hG4bKabc', 'z9hG4bKabc_', 'z9hG4bKabc_.w1', 'z9hG4bKabc_1A', 'z9hG4bKabc_-1', `z9hG4bK_${'z'.repeat(12)}`]) {
      expect(sequenceOf(branch), branch).toBe(-1);
    }
  });

  it('branch table - finds a pending transaction by its whole branch only', () => {
    const table = new BranchTable<{ branch: string }>();
    const a = tx(table.draw('z9hG4bKaaaa', ''));
    table.add(a);
    expect(table.pendingFor(a.branch)).toBe(a);
    expect(table.pendingFor('z9hG4bKbbbb_0')).toBeUndefined(); // same sequence, other random part
    expect(table.pendingFor('z9hG4bKaaaa_1')).toBeUndefined(); // not drawn
    expect(table.pendingFor('z9hG4bKaaaa')).toBeUndefined();
    expect(table.size).toBe(1);
    expect(() => table.add(tx('z9hG4bKaaaa_5'))).toThrow(RangeError);
    expect(() => table.add(a)).toThrow(RangeError);
  });

  it('branch table - a completed transaction matches on branch and method until its Timer K expiry, holding no object', () => {
    const table = new BranchTable<{ branch: string }>();
    const a = tx(table.draw('z9hG4bKaaaa', '.w0'));
    table.add(a);
    table.complete(a, 'NOTIFY');
    expect(table.pendingFor(a.branch)).toBeUndefined();
    expect(table.holds(a)).toBe(false);
    expect(table.completedFor(a.branch, 'NOTIFY')).toBe(true);
    expect(table.completedFor(a.branch, 'MESSAGE')).toBe(false);
    expect(table.completedFor('z9hG4bKbbbb_0.w0', 'NOTIFY')).toBe(false);
    expect(table.completedFor('z9hG4bKaaaa_0.w1', 'NOTIFY')).toBe(false);
    expect(table.size).toBe(1);
    table.expireOldest();
    expect(table.completedFor(a.branch, 'NOTIFY')).toBe(false);
    expect(table.size).toBe(0);
  });

  it('branch table - Timer K ends completed transactions in completion order, not sequence order', () => {
    const table = new BranchTable<{ branch: string }>();
    const [a, b] = [tx(table.draw('z9hG4bKa', '')), tx(table.draw('z9hG4bKb', ''))];
    table.add(a);
    table.add(b);
    table.complete(b, 'NOTIFY');
    table.complete(a, 'NOTIFY');
    table.expireOldest();
    expect(table.completedFor(b.branch, 'NOTIFY')).toBe(false);
    expect(table.completedFor(a.branch, 'NOTIFY')).toBe(true);
  });

  it('branch table - stays exact as it grows around a long-pending transaction and shrinks after', () => {
    const table = new BranchTable<{ branch: string }>();
    const old = tx(table.draw('z9hG4bKold', ''));
    table.add(old);
    const done: { branch: string }[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = tx(table.draw(`z9hG4bK${i}`, ''));
      table.add(t);
      if (i % 3 === 0) table.remove(t);
      else {
        table.complete(t, i % 2 === 0 ? 'NOTIFY' : 'MESSAGE');
        done.push(t);
      }
      if (done.length > 700) {
        table.expireOldest();
        done.shift();
      }
    }
    expect(table.pendingFor(old.branch)).toBe(old);
    expect(table.size).toBe(1 + done.length);
    const survivors = done.map((t) => table.completedFor(t.branch, Number(t.branch.slice(7, t.branch.indexOf('_'))) % 2 === 0 ? 'NOTIFY' : 'MESSAGE'));
    expect(survivors.every(Boolean)).toBe(true);
    table.remove(old);
    for (let i = 0; i < done.length; i++) table.expireOldest();
    expect(table.size).toBe(0);
    expect(table.pendingTransactions()).toEqual([]);
    // Sequences go on after the ring shrank back.
    const next = tx(table.draw('z9hG4bKnext', ''));
    table.add(next);
    expect(table.pendingFor(next.branch)).toBe(next);
    expect(sequenceOf(next.branch)).toBe(5001);
  });

  it('branch table - clear forgets every transaction; later branches are new', () => {
    const table = new BranchTable<{ branch: string }>();
    const a = tx(table.draw('z9hG4bKa', ''));
    table.add(a);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.pendingFor(a.branch)).toBeUndefined();
    expect(table.draw('z9hG4bKb', '')).toBe('z9hG4bKb_1');
  });
});
