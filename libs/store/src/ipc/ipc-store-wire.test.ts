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

  it('keeps byte arrays (a stored MESSAGE body: every octet, invalid UTF-8 included) as Uint8Array', () => {
    const body = Uint8Array.from({ length: 256 }, (_, i) => i);
    const record = { recipient: 'sip:b@x', body, empty: new Uint8Array(0), inside: Buffer.from('xyz').subarray(1) };
    const decoded = decodeStoreValue(encodeStoreValue([record])) as [typeof record];
    expect(decoded[0].body).toBeInstanceOf(Uint8Array);
    expect([...decoded[0].body]).toEqual([...body]);
    expect(decoded[0].empty).toHaveLength(0);
    expect(new TextDecoder().decode(decoded[0].inside)).toBe('yz');
  });

  it('any JSON-like value comes back equal (property)', () => {
    const values = fc.anything({ withNullPrototype: false, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: false, withBoxedValues: false, withObjectString: false });
    fc.assert(fc.property(fc.oneof(values, fc.constant(-0), fc.array(fc.constantFrom(undefined, -0, Number.NaN))), (value) => void expect(decodeStoreValue(encodeStoreValue(value))).toEqual(value)));
  });
});
