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

  it('any JSON-like value comes back equal (property)', () => {
    const values = fc.anything({ withNullPrototype: false, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: false, withBoxedValues: false, withObjectString: false });
    fc.assert(fc.property(fc.oneof(values, fc.constant(-0), fc.array(fc.constantFrom(undefined, -0, Number.NaN))), (value) => void expect(decodeStoreValue(encodeStoreValue(value))).toEqual(value)));
  });
});
