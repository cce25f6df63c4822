import { describe, expect, it } from 'vitest';
import { digestAnswer } from './digest-answer.js';
import { readDigestCredentials, type DigestCredentials } from './digest-credentials.js';
import { ha1 } from './digest-hash.js';
import { responseMatches } from './digest-response.js';

/** RFC 7616 §3.9.1: GET /dir/index.html by Mufasa, password "Circle of Life". */
const RFC_7616 = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
};
const RFC_7616_RESPONSES = {
  'SHA-256': '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  MD5: '8ca523f5e9506fed4657c9700eebdbec',
} as const;

function credentials(extra: Record<string, string>, base: Record<string, string> = RFC_7616): DigestCredentials {
  return readDigestCredentials(new Map(Object.entries({ ...base, ...extra })));
}

describe('digest response', () => {
  it.each(['SHA-256', 'MD5'] as const)('response - the RFC 7616 §3.9.1 %s response matches the HA1 of its password, and only that', (algorithm) => {
    const given = credentials({ algorithm, response: RFC_7616_RESPONSES[algorithm] });
    const right = ha1(algorithm, 'Mufasa', 'http-auth@example.org', 'Circle of Life');
    expect(responseMatches(given, 'GET', right)).toBe(true);
    expect(responseMatches(given, 'POST', right)).toBe(false);
    expect(responseMatches(given, 'GET', ha1(algorithm, 'Mufasa', 'http-auth@example.org', 'Circle of life'))).toBe(false);
    const upper = credentials({ algorithm, response: RFC_7616_RESPONSES[algorithm].toUpperCase() });
    expect(responseMatches(upper, 'GET', right)).toBe(true);
  });

  it('response - RFC 2617 §3.5 (MD5 by default when no algorithm is named)', () => {
    const given = credentials({}, {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
    expect(given.algorithm).toBe('MD5');
    expect(responseMatches(given, 'GET', ha1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'))).toBe(true);
  });

  it.each(['SHA-256', 'MD5'] as const)('response - digestAnswer writes the RFC 7616 §3.9.1 %s Authorization', (algorithm) => {
    const directives = digestAnswer({ ...RFC_7616, algorithm, password: 'Circle of Life', method: 'GET', nc: 1 });
    const values = new Map(directives.map((d) => [d.name, d.value]));
    expect(values.get('response')).toBe(RFC_7616_RESPONSES[algorithm]);
    expect(values.get('nc')).toBe('00000001');
    expect(directives.filter((d) => !d.quoted).map((d) => d.name)).toEqual(['algorithm', 'nc', 'qop']);
    expect(responseMatches(readDigestCredentials(values), 'GET', ha1(algorithm, 'Mufasa', 'http-auth@example.org', 'Circle of Life'))).toBe(true);
  });

  it.each(['SHA-256', 'MD5'] as const)('response - digestAnswer with the HA1 instead of the password writes the same %s answer', (algorithm) => {
    const input = { ...RFC_7616, algorithm, method: 'GET', nc: 1 };
    const fromHa1 = digestAnswer({ ...input, ha1: ha1(algorithm, 'Mufasa', 'http-auth@example.org', 'Circle of Life') });
    expect(fromHa1).toEqual(digestAnswer({ ...input, password: 'Circle of Life' }));
    expect(new Map(fromHa1.map((d) => [d.name, d.value])).get('response')).toBe(RFC_7616_RESPONSES[algorithm]);
  });

  it('credentials - each broken rule is refused, naming the directive', () => {
    const sha = { algorithm: 'SHA-256', response: RFC_7616_RESPONSES['SHA-256'] };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...sha, username: '' }, /missing username/],
      [{ ...sha, nonce: '' }, /missing nonce/],
      [{ ...sha, 'username*': "UTF-8''J%C3%A4s%C3%B8n" }, /username\* not supported/],
      [{ ...sha, userhash: 'true' }, /userhash not supported/],
      [{ ...sha, algorithm: 'SHA-256-sess' }, /algorithm not supported/],
      [{ ...sha, algorithm: 'SHA-512-256' }, /algorithm not supported/],
      [{ ...sha, qop: 'auth-int' }, /qop must be auth/],
      [{ ...sha, nc: '1' }, /nc must be 8 hex digits/],
      [{ ...sha, nc: '0000000g' }, /nc must be 8 hex digits/],
      [{ ...sha, nc: '00000000' }, /nc must be at least 1/],
      [{ ...sha, cnonce: '' }, /missing cnonce/],
      [{ ...sha, response: RFC_7616_RESPONSES.MD5 }, /response is not a SHA-256 digest/],
      [{ ...sha, response: 'z'.repeat(64) }, /response is not a SHA-256 digest/],
      [{ algorithm: 'MD5', response: RFC_7616_RESPONSES['SHA-256'] }, /response is not a MD5 digest/],
    ];
    for (const [extra, message] of cases) expect(() => credentials(extra), JSON.stringify(extra)).toThrow(message);
    const withoutQop = new Map(Object.entries({ ...RFC_7616, ...sha }));
    withoutQop.delete('qop');
    expect(() => readDigestCredentials(withoutQop)).toThrow(/qop=auth required/);
    const withoutUri = new Map(Object.entries({ ...RFC_7616, ...sha }));
    withoutUri.delete('uri');
    expect(() => readDigestCredentials(withoutUri)).toThrow(/missing uri/);
  });

  it('credentials - algorithm and qop are case-insensitive, the response is kept lower-case', () => {
    const read = credentials({ algorithm: 'sha-256', qop: 'AUTH', response: RFC_7616_RESPONSES['SHA-256'].toUpperCase() });
    expect(read.algorithm).toBe('SHA-256');
    expect(read.response).toBe(RFC_7616_RESPONSES['SHA-256']);
    expect(read.nc).toBe(1);
  });
});
