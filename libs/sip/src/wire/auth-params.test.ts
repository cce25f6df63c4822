import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAuthHeader, parseAuthHeader } from './auth-params.js';
import { SipParseError } from './sip-parse-error.js';

describe('auth params', () => {
  it('auth params - parses the Authorization of RFC 7616 §3.9.1 (quoted and token values, names lower-cased)', () => {
    const header = parseAuthHeader(
      'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256,' +
        ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",' +
        ' qop=auth, RESPONSE="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(header.scheme).toBe('Digest');
    expect(Object.fromEntries(header.params)).toEqual({
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      uri: '/dir/index.html',
      algorithm: 'SHA-256',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      nc: '00000001',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      qop: 'auth',
      response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    });
  });

  it('auth params - whitespace around "," and "=", escapes in quoted-strings, commas and UTF-8 inside quotes', () => {
    const header = parseAuthHeader('  Digest\tusername = "J\\"o\\\\e, jr" ,realm="réalm",nonce=abc  ');
    expect(Object.fromEntries(header.params)).toEqual({ username: 'J"o\\e, jr', realm: 'réalm', nonce: 'abc' });
  });

  it('auth params - malformed values are refused with a message naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['', /no auth-scheme/],
      ['Digest', /no parameters/],
      ['Digest   ', /no parameters/],
      ['"Digest" username="a"', /no auth-scheme/],
      ['Digest, username="a"', /not a token/],
      ['Digest username', /username has no value/],
      ['Digest username=', /username is neither a token nor a quoted-string/],
      ['Digest uri=sip:a@b', /junk after uri/],
      ['Digest username="alice', /malformed quoted-string in username/],
      ['Digest username="a\u0000b"', /malformed quoted-string in username/],
      ['Digest username="a" realm="b"', /junk after username/],
      ['Digest username="a",, realm="b"', /parameter name is missing/],
      ['Digest username="a",', /parameter name is missing/],
      ['Digest nc=1, NC=2', /nc given twice/],
      [`Digest ${'x'.repeat(100)}=1, ${'x'.repeat(100)}=2`, /x{20}\.\.\. given twice/],
    ];
    for (const [value, message] of cases) {
      expect(() => parseAuthHeader(value), value).toThrow(SipParseError);
      expect(() => parseAuthHeader(value), value).toThrow(message);
    }
  });

  it('auth params - __proto__ is an ordinary parameter name (a Map holds them)', () => {
    expect(parseAuthHeader('Digest __proto__=x').params.get('__proto__')).toBe('x');
  });

  it('auth params - formats a challenge that parses back to the same parameters', () => {
    const value = formatAuthHeader('Digest', [
      { name: 'realm', value: 'ex "quoted" \\ realm', quoted: true },
      { name: 'nonce', value: 'n0nce/+=', quoted: true },
      { name: 'algorithm', value: 'SHA-256', quoted: false },
      { name: 'qop', value: 'auth', quoted: true },
      { name: 'stale', value: 'true', quoted: false },
    ]);
    expect(value).toBe('Digest realm="ex \\"quoted\\" \\\\ realm", nonce="n0nce/+=", algorithm=SHA-256, qop="auth", stale=true');
    expect(Object.fromEntries(parseAuthHeader(value).params)).toEqual({
      realm: 'ex "quoted" \\ realm',
      nonce: 'n0nce/+=',
      algorithm: 'SHA-256',
      qop: 'auth',
      stale: 'true',
    });
  });

  it('auth params - the formatter refuses what would break the header line', () => {
    expect(() => formatAuthHeader('Digest', [{ name: 'realm', value: 'a\r\nVia: x', quoted: true }])).toThrow(TypeError);
    expect(() => formatAuthHeader('Digest', [{ name: 'algorithm', value: 'SHA 256', quoted: false }])).toThrow(TypeError);
    expect(() => formatAuthHeader('Digest', [{ name: 're alm', value: 'a', quoted: true }])).toThrow(TypeError);
    expect(() => formatAuthHeader('Dig est', [])).toThrow(TypeError);
  });

  it('auth params - any text is parsed or refused with a SipParseError; what we format parses back (fast-check, fixed seed)', () => {
    const text = fc.string({ unit: fc.constantFrom('D', 'i', 'g', 'e', 's', 't', ' ', '\t', '=', ',', '"', '\\', 'a', '1', '-', 'é', '\u0000') });
    fc.assert(
      fc.property(text, (value) => {
        try {
          parseAuthHeader(value);
        } catch (error) {
          expect(error).toBeInstanceOf(SipParseError);
        }
      }),
      { seed: 7616, numRuns: 2000 },
    );
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    const param = fc.record({ name, value: fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', ',', '=', 'é', '/') }), quoted: fc.constant(true) });
    fc.assert(
      fc.property(fc.uniqueArray(param, { minLength: 1, maxLength: 6, selector: (p) => p.name }), (params) => {
        const parsed = parseAuthHeader(formatAuthHeader('Digest', params));
        expect(Object.fromEntries(parsed.params)).toEqual(Object.fromEntries(params.map((p) => [p.name, p.value])));
      }),
      { seed: 8760, numRuns: 1000 },
    );
  });
});
