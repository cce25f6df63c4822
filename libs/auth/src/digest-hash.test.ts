import { describe, expect, it } from 'vitest';
import type { DigestAlgorithm } from '@presence/core';
import { digestHash, ha1, ha1ForAll } from './digest-hash.js';

/** RFC 7616 §3.9.1: GET /dir/index.html by Mufasa, qop=auth, nc=00000001. */
function rfc7616Response(algorithm: DigestAlgorithm): string {
  const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
  const ha2 = digestHash(algorithm, 'GET:/dir/index.html');
  return digestHash(algorithm, `${ha1(algorithm, 'Mufasa', 'http-auth@example.org', 'Circle of Life')}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
}

describe('digest hash', () => {
  it('ha1 - gives the responses of RFC 7616 §3.9.1 for MD5 and SHA-256', () => {
    expect(rfc7616Response('MD5')).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(rfc7616Response('SHA-256')).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('ha1ForAll - one HA1 per offered algorithm', () => {
    const all = ha1ForAll('alice', 'example.com', 'secret');
    expect(all.MD5).toBe(digestHash('MD5', 'alice:example.com:secret'));
    expect(all['SHA-256']).toBe(digestHash('SHA-256', 'alice:example.com:secret'));
    expect(all['SHA-256']).toMatch(/^[0-9a-f]{64}$/);
  });
});
