import { describe, expect, it } from 'vitest';
import { type RecordProblem, RecordReader } from './record-reader.js';

class TestRecordError extends Error {
  constructor(readonly problem: RecordProblem) {
    super(problem.message);
  }
}

const fail = (problem: RecordProblem): Error => new TestRecordError(problem);

/** The error a read throws, for its message and class. */
function thrown(read: () => unknown): TestRecordError {
  try {
    read();
  } catch (error) {
    if (error instanceof TestRecordError) return error;
    throw error;
  }
  throw new Error('expected the read to throw');
}

describe('RecordReader', () => {
  it('RecordReader - reads typed fields of an object', () => {
    const r = RecordReader.object({ s: 'x', n: 1.5, c: 3, e: 'b', a: ['p', 'q'], m: { k: 'v' }, o: { inner: 'y' }, l: [{ i: 'one' }, { i: 'two' }] }, 'rec', fail);
    expect(r.string('s')).toBe('x');
    expect(r.number('n')).toBe(1.5);
    expect(r.count('c')).toBe(3);
    expect(r.oneOf('e', ['a', 'b'] as const)).toBe('b');
    expect(r.strings('a')).toEqual(['p', 'q']);
    expect(r.stringRecord('m')).toEqual({ k: 'v' });
    expect(r.object('o').string('inner')).toBe('y');
    expect(r.list('l', (item) => item.string('i'))).toEqual(['one', 'two']);
    expect(r.optionalString('missing')).toBeUndefined();
    expect(r.optionalNumber('missing')).toBeUndefined();
  });

  it('RecordReader - boolean accepts true and false only', () => {
    const r = RecordReader.object({ yes: true, no: false, one: 1, text: 'true' }, 'rec', fail);
    expect(r.boolean('yes')).toBe(true);
    expect(r.boolean('no')).toBe(false);
    expect(thrown(() => r.boolean('one')).message).toBe('rec.one: expected true or false');
    expect(thrown(() => r.boolean('text')).message).toBe('rec.text: expected true or false');
    expect(thrown(() => r.boolean('missing')).message).toBe('rec.missing: expected true or false');
  });

  it('RecordReader - errors are the caller s, naming the path and what was expected', () => {
    const r = RecordReader.object({ s: 1, c: -1, e: 'z', o: { inner: 2 }, l: [{ i: 'ok' }, 'no'] }, 'agent request', fail);
    expect(thrown(() => r.string('s')).message).toBe('agent request.s: expected a string');
    expect(thrown(() => r.count('c')).message).toBe('agent request.c: expected a non-negative integer');
    expect(thrown(() => r.oneOf('e', ['a', 'b'])).message).toBe('agent request.e: expected one of a|b');
    expect(thrown(() => r.object('o').string('inner')).message).toBe('agent request.o.inner: expected a string');
    expect(thrown(() => r.list('l', (item) => item.string('i'))).message).toBe('agent request.l[1]: expected an object');
    expect(thrown(() => r.object('missing')).problem).toEqual({ path: 'agent request.missing', expected: 'an object', message: 'agent request.missing: expected an object' });
    expect(thrown(() => RecordReader.object([], 'agent request', fail)).message).toBe('agent request: expected an object');
  });

  it('RecordReader - at an unnamed root, paths start with the field', () => {
    const r = RecordReader.object({ presentities: [{ etag: 7 }] }, '', fail);
    expect(thrown(() => r.list('presentities', (p) => p.string('etag'))).message).toBe('presentities[0].etag: expected a string');
    expect(thrown(() => RecordReader.object('text', '', fail)).message).toBe('expected an object');
  });

  it('RecordReader - numbers must be finite; counts non-negative safe integers', () => {
    const r = RecordReader.object({ inf: Infinity, nan: Number.NaN, frac: 1.5, big: 2 ** 60 }, '', fail);
    expect(() => r.number('inf')).toThrow(TestRecordError);
    expect(() => r.number('nan')).toThrow(TestRecordError);
    expect(() => r.count('frac')).toThrow('frac: expected a non-negative integer');
    expect(() => r.count('big')).toThrow(TestRecordError);
  });

  it('RecordReader - in an object null is a wrong value, in a tuple it marks an absent field', () => {
    const o = RecordReader.object({ q: null }, '', fail);
    expect(() => o.optionalNumber('q')).toThrow('q: expected a number');
    const t = RecordReader.tuple(['a', null, 2], '', fail);
    expect(t.string(0)).toBe('a');
    expect(t.optionalString(1)).toBeUndefined();
    expect(t.optionalNumber(3)).toBeUndefined();
    expect(t.optionalNumber(2)).toBe(2);
    expect(thrown(() => t.string(2)).message).toBe('[2]: expected a string');
  });

  it('RecordReader - an array of tuples names the item and the position', () => {
    const read = (value: unknown) => RecordReader.tuples(value, '', fail, (item) => [item.string(0), item.number(1)] as const);
    expect(read([['a', 1], ['b', 2]])).toEqual([['a', 1], ['b', 2]]);
    expect(thrown(() => read([['a', 1], ['b', 'x']])).message).toBe('[1][1]: expected a number');
    expect(thrown(() => read([['a', 1], 'b'])).message).toBe('[1]: expected an array');
    expect(thrown(() => read({})).message).toBe('expected an array');
  });
});
