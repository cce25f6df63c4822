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
