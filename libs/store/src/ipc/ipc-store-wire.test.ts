import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStoreValue, encodeStoreValue } from './ipc-store-wire.js';

describe('store values on the wire', () => {
  it('keeps undefined in arrays and argument lists, NaN, the infinities and -0', () => {
    const value = [undefined, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, { a: 'x', b: [undefined] }];
    expect(decodeStoreValue(encodeStoreValue(value))).toEqual(value);
    expect(decodeStoreValue(encodeStoreValue(undefined))).toBeUndefined();
    expect(Object.is(decodeStoreValue(encodeStoreValue(-0)), -0)).toBe(true);
  });

  it('keeps bytes as bytes (a stored MESSAGE body), a Buffer or a view into a larger buffer included', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const value = { body: all, view: all.subarray(250), buffer: Buffer.from([1, 2, 3]), list: [new Uint8Array(0)] };
    const back = decodeStoreValue(encodeStoreValue(value)) as Record<string, unknown>;
    expect(back['body']).toEqual(Buffer.from(all));
    expect(back['view']).toEqual(Buffer.from([250, 251, 252, 253, 254, 255]));
    expect(back['buffer']).toEqual(Buffer.from([1, 2, 3]));
    expect(back['list']).toEqual([Buffer.alloc(0)]);
  });

  it('any JSON-like value comes back equal (property)', () => {
    const values = fc.anything({ withNullPrototype: false, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: false, withBoxedValues: false, withObjectString: false });
    fc.assert(fc.property(fc.oneof(values, fc.constant(-0), fc.array(fc.constantFrom(undefined, -0, Number.NaN))), (value) => void expect(decodeStoreValue(encodeStoreValue(value))).toEqual(value)));
  });
});

describe('store values on the wire: the plain path', () => {
  /** The replacer's and reviver's path alone, as every value took before the plain path: the plain path must write and read the same. */
  const MARK = '\u0000ipc';
  const slowEncode = (value: unknown): string =>
    JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
      const original = this[key];
      if (original instanceof Uint8Array) return { [MARK]: 'bytes', base64: Buffer.from(original).toString('base64') };
      if (item === undefined) return { [MARK]: 'undefined' };
      if (typeof item !== 'number' || (Number.isFinite(item) && !Object.is(item, -0))) return item;
      return { [MARK]: Object.is(item, -0) ? '-0' : Number.isNaN(item) ? 'NaN' : item > 0 ? 'Infinity' : '-Infinity' };
    }) ?? JSON.stringify({ [MARK]: 'undefined' });

  it('writes exactly the text the replacer writes, for any JSON value (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything({ withBigInt: false, withMap: false, withSet: false, withTypedArray: false, withBoxedValues: false, withObjectString: false, withNullPrototype: false })), (value) => void expect(encodeStoreValue(value)).toBe(slowEncode(value))));
  });

  it('reads a text holding the mark as data, not as a marked value, when it is only a string', () => {
    const value = { note: `${MARK}bytes`, list: [`x${MARK}`] };
    expect(decodeStoreValue(encodeStoreValue(value))).toEqual(value);
  });

  it('keeps a -0 and undefined in an array deep inside an object, and bytes deeper than the plain walk goes', () => {
    const value = { a: { b: { c: [undefined], d: -0 } } };
    const back = decodeStoreValue(encodeStoreValue(value)) as { a: { b: { c: unknown[]; d: number } } };
    expect(back).toEqual(value);
    expect(back.a.b.c).toHaveLength(1);
    expect(Object.is(back.a.b.d, -0)).toBe(true);
    let deep: unknown = { bytes: Uint8Array.of(1, 2) };
    for (let i = 0; i < 12; i++) deep = [deep];
    expect(decodeStoreValue(encodeStoreValue(deep))).toEqual(JSON.parse(JSON.stringify(deep, (_key, item: unknown) => (item instanceof Uint8Array ? 'B' : item)), (_key, item: unknown) => (item === 'B' ? Buffer.from([1, 2]) : item)));
  });
});
