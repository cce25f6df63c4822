import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bodyField, readBodyField } from './body-field.js';
import { RecordReader } from './record-reader.js';

const read = (value: unknown): Buffer => readBodyField(RecordReader.object(JSON.parse(JSON.stringify(value)), 'r', (p) => new Error(p.message)));

describe('body field', () => {
  it('body field - any bytes come back identical through JSON', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(Buffer.compare(read(bodyField(bytes)), Buffer.from(bytes))).toBe(0);
    }));
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(bodyField(all).bodyEncoding).toBe('base64');
    expect(Buffer.compare(read(bodyField(all)), all)).toBe(0);
  });

  it('body field - UTF-8 text is written as text, as records older than the field were, and those still read', () => {
    expect(bodyField(Buffer.from('héllo ✓'))).toEqual({ body: 'héllo ✓' });
    expect(read({ body: 'héllo ✓' }).toString('utf8')).toBe('héllo ✓');
    const withBom = Buffer.from('\ufeffhi');
    expect(Buffer.compare(read(bodyField(withBom)), withBom)).toBe(0);
  });

  it('body field - an unknown encoding is an error naming it', () => {
    expect(() => read({ body: 'x', bodyEncoding: 'hex' })).toThrow(/bodyEncoding/);
  });
});
