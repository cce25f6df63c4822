import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, NonceCodec } from './nonce-codec.js';

const KEY = 'k'.repeat(43);
const LIFETIME = 300_000;
const T0 = 1_700_000_000_000;

describe('nonce codec', () => {
  it('nonce - fresh within its lifetime on any codec with the key, with the time it has left', () => {
    const nonce = new NonceCodec(KEY, LIFETIME).issue('example.com', T0);
    const elsewhere = new NonceCodec(KEY, LIFETIME);
    expect(elsewhere.check(nonce, 'example.com', T0)).toEqual({ status: 'fresh', remainingMs: LIFETIME });
    expect(elsewhere.check(nonce, 'example.com', T0 + LIFETIME - 1)).toEqual({ status: 'fresh', remainingMs: 1 });
  });

  it('nonce - expired once its lifetime is over, or when issued too far in the future', () => {
    const codec = new NonceCodec(KEY, LIFETIME);
    expect(codec.check(codec.issue('example.com', T0), 'example.com', T0 + LIFETIME)).toEqual({ status: 'expired' });
    const ahead = codec.issue('example.com', T0 + MAX_CLOCK_SKEW_MS + 1);
    expect(codec.check(ahead, 'example.com', T0)).toEqual({ status: 'expired' });
    expect(codec.check(codec.issue('example.com', T0 + MAX_CLOCK_SKEW_MS), 'example.com', T0).status).toBe('fresh');
  });

  it('nonce - foreign for another realm, another key, an altered or truncated nonce, and junk', () => {
    const codec = new NonceCodec(KEY, LIFETIME);
    const nonce = codec.issue('example.com', T0);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{70}$/);
    expect(codec.check(nonce, 'example.org', T0).status).toBe('foreign');
    expect(new NonceCodec('other key of some length', LIFETIME).check(nonce, 'example.com', T0).status).toBe('foreign');
    for (const i of [0, 7, 8, 27, 28, 40, 68, 69]) {
      const altered = nonce.slice(0, i) + (nonce[i] === 'A' ? 'B' : 'A') + nonce.slice(i + 1);
      expect(codec.check(altered, 'example.com', T0).status, `byte ${i}`).toBe('foreign');
    }
    for (const junk of ['', nonce.slice(1), `${nonce}A`, `${nonce.slice(0, 69)}=`, `${nonce.slice(0, 69)}.`, 'x'.repeat(100_000)]) {
      expect(codec.check(junk, 'example.com', T0).status).toBe('foreign');
    }
  });

  it('nonce - every nonce is new, the opaque is one per key and realm', () => {
    const codec = new NonceCodec(KEY, LIFETIME);
    expect(codec.issue('example.com', T0)).not.toBe(codec.issue('example.com', T0));
    expect(codec.opaque('example.com')).toBe(new NonceCodec(KEY, 1).opaque('example.com'));
    expect(codec.opaque('example.com')).not.toBe(codec.opaque('example.org'));
    expect(codec.opaque('example.com')).not.toBe(new NonceCodec('another key', LIFETIME).opaque('example.com'));
  });

  it('nonce - the opaques it remembers stay right past the bound on remembered realms', () => {
    const codec = new NonceCodec(KEY, LIFETIME);
    const fresh = (realm: string) => new NonceCodec(KEY, LIFETIME).opaque(realm);
    const first = codec.opaque('example.com');
    for (let i = 0; i < 600; i++) expect(codec.opaque(`realm${i}.example.com`)).toBe(fresh(`realm${i}.example.com`));
    expect(codec.opaque('example.com')).toBe(first);
  });
});
