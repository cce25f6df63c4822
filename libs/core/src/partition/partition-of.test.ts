import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError, ServerInternalError } from '../errors/catalogue.js';
import { fnv1a32, utf8Bytes } from './fnv1a.js';
import { DEFAULT_PARTITIONS, partitionOf } from './partition-of.js';

describe('fnv1a32', () => {
  it('fnv1a32 - matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('fnv1a32 - hashes the UTF-8 bytes of non-ASCII text', () => {
    expect(utf8Bytes('é€😀')).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    expect(fnv1a32('é€😀')).toBe(0x04a2e806);
  });

  it('fnv1a32 - encodes a lone surrogate as U+FFFD', () => {
    expect(utf8Bytes('\ud800')).toEqual([0xef, 0xbf, 0xbd]);
    expect(fnv1a32('a\udc00b\ud83d')).toBe(fnv1a32('a\ufffdb\ufffd'));
  });

  it('fnv1a32 - equals FNV-1a folded over utf8Bytes and over TextEncoder\'s bytes, for any UTF-16 text (lone surrogates included)', () => {
    const reference = (bytes: Iterable<number>): number => {
      let hash = 0x811c9dc5;
      for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
      return hash;
    };
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('\ud83d', '\ude00', '\udbff', '\udc00', '\uffff', '\u0080', '\u07ff', '\u0800'), fc.constantFrom(...'ab.@:'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), (text) => {
        const hash = fnv1a32(text);
        expect(hash).toBe(reference(utf8Bytes(text)));
        expect(hash).toBe(reference(encoder.encode(text)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('partitionOf', () => {
  it('partitionOf - defaults to 256 partitions', () => {
    expect(DEFAULT_PARTITIONS).toBe(256);
  });

  it('partitionOf - gives fixed, stable values', () => {
    // FNV-1a("sip:alice@example.com") = 0x7c14a040, FNV-1a("sip:bob@example.com") = 0x22895713.
    expect(partitionOf('sip:alice@example.com', 256)).toBe(64);
    expect(partitionOf('sip:bob@example.com', 256)).toBe(19);
    expect(partitionOf('sip:example.com', 256)).toBe(4);
    expect(partitionOf('sip:alice@example.com', 7)).toBe(0x7c14a040 % 7);
  });

  it('partitionOf - hashes the normalized AOR', () => {
    const canonical = partitionOf('sip:alice@example.com', 256);
    expect(partitionOf('"Alice" <sips:alice@EXAMPLE.com:5061;transport=tls>', 256)).toBe(canonical);
    // The user part is case-sensitive, so a different user may land elsewhere.
    expect(partitionOf('sip:Alice@example.com', 256)).toBe(160);
  });

  it('partitionOf - spreads AORs over all partitions', () => {
    const counts = new Array<number>(DEFAULT_PARTITIONS).fill(0);
    const n = 25_600;
    for (let i = 0; i < n; i++) {
      const p = partitionOf(`sip:user${i}@example.com`, DEFAULT_PARTITIONS);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    const expected = n / DEFAULT_PARTITIONS;
    expect(Math.min(...counts)).toBeGreaterThan(expected * 0.5);
    expect(Math.max(...counts)).toBeLessThan(expected * 1.5);
  });

  it('partitionOf - stays within range for a single partition', () => {
    expect(partitionOf('sip:alice@example.com', 1)).toBe(0);
  });

  it('partitionOf - rejects a bad partition count and a bad AOR', () => {
    expect(() => partitionOf('sip:alice@example.com', 0)).toThrow(ServerInternalError);
    expect(() => partitionOf('sip:alice@example.com', 2.5)).toThrow(ServerInternalError);
    expect(() => partitionOf('tel:+1555', 256)).toThrow(BadRequestError);
  });
});
