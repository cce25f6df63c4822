import { describe, expect, it } from 'vitest';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { firstListItem, splitHeaderList } from './split-list.js';
import { formatVia, parseVia } from './via.js';

describe('name-addr', () => {
  it('name-addr - quoted display name, URI params kept inside <>, header params lower-cased', () => {
    expect(parseNameAddr('"Alice \\"A\\" Ä" <sip:alice@example.com;transport=tcp>;TAG=abc;expires=60;lr')).toEqual({
      displayName: 'Alice "A" Ä',
      uri: 'sip:alice@example.com;transport=tcp',
      params: { tag: 'abc', expires: '60', lr: null },
    });
  });

  it('name-addr - addr-spec without brackets and token display names', () => {
    expect(parseNameAddr('sip:bob@example.com;tag=9')).toEqual({ uri: 'sip:bob@example.com', params: { tag: '9' } });
    expect(parseNameAddr('Bob Smith <sip:bob@example.com>').displayName).toBe('Bob Smith');
  });

  it('name-addr - a URI with headers must be in <> (RFC 3261 §20.10, RFC 4475 regbadct)', () => {
    expect(() => parseNameAddr('sip:user@example.com?Route=%3Csip:sip.example.com%3E')).toThrow(SipParseError);
    expect(parseNameAddr('<sip:user@example.com?Route=%3Csip:sip.example.com%3E>').uri).toBe('sip:user@example.com?Route=%3Csip:sip.example.com%3E');
  });

  it('name-addr - a quoted-pair may escape a control character but CR or LF (RFC 3261 §25.1, RFC 4475 intmeth)', () => {
    expect(parseNameAddr('"BEL:\\\u0007 NUL:\\\u0000" <sip:a@b>').displayName).toBe('BEL:\u0007 NUL:\u0000');
    for (const bad of ['"raw \u0000" <sip:a@b>', '"escaped \\\r" <sip:a@b>', '"escaped \\\n" <sip:a@b>']) {
      expect(() => parseNameAddr(bad), JSON.stringify(bad)).toThrow(SipParseError);
    }
  });

  it('name-addr - garbage throws SipParseError', () => {
    for (const bad of ['', '<<<', '"unterminated', 'no-scheme-here', '<>']) {
      expect(() => parseNameAddr(bad), bad).toThrow(SipParseError);
    }
  });

  it('name-addr - whitespace around the parts, IPv6 and quoted parameter values, last duplicate wins', () => {
    const cases: [string, NameAddr][] = [
      ['<sip:alice@example.com>;tag=a1b2c3', { uri: 'sip:alice@example.com', params: { tag: 'a1b2c3' } }],
      ['  < sip:bob@example.com >  ', { uri: 'sip:bob@example.com', params: {} }],
      ['<sip:a@b> ; TAG = x ;lr', { uri: 'sip:a@b', params: { tag: 'x', lr: null } }],
      ['<sip:a@b>;a=1;A=2', { uri: 'sip:a@b', params: { a: '2' } }],
      ['<sip:a@b>;__proto__;a=1', { uri: 'sip:a@b', params: { a: '1' } }],
      ['<sip:a@b>;received=[2001:db8::1];x="q;r \\" s"', { uri: 'sip:a@b', params: { received: '[2001:db8::1]', x: '"q;r \\" s"' } }],
      ['"a"<sip:x@y>', { displayName: 'a', uri: 'sip:x@y', params: {} }],
      ['"" <sip:x@y>', { uri: 'sip:x@y', params: {} }],
      ['Bob  Smith\t<sip:x@y>', { displayName: 'Bob  Smith', uri: 'sip:x@y', params: {} }],
      ['sip:a@b ;tag=1', { uri: 'sip:a@b', params: { tag: '1' } }],
      ['<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>', { uri: 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', params: {} }],
      ['<sip:ü@b>', { uri: 'sip:ü@b', params: {} }],
    ];
    for (const [value, expected] of cases) expect(parseNameAddr(value), value).toEqual(expected);
    expect(Object.getPrototypeOf(parseNameAddr('<sip:a@b>;__proto__=x').params)).toBe(Object.prototype);
  });

  it('name-addr - what the grammar does not allow throws: trailing junk, bad URIs, bad parameters', () => {
    const bad = [
      '<sip:w@127.0.0.1:5099 x>', // whitespace in the URI
      '<sip:a@b', // unclosed
      '>',
      '<sip:a@b>>',
      '<<sip:a@b>>',
      '<sip:a\r@b>',
      '<sip:a@b\n>',
      '<sip:a@b\u0000>',
      '<sip:a"b@c>',
      '<no-scheme>;tag=1',
      '<1sip:a@b>',
      '<sip:>',
      '< >;tag=1',
      '<sip:a@b> junk',
      '<sip:a@b>;x=1 trailing',
      'sip:a@b c',
      '<sip:a@b>;tag=',
      '<sip:a@b>;tag="quoted"',
      '<sip:a@b>;tag=é',
      '<sip:a@b>;tag=a\nb',
      '<sip:a@b>;;x',
      '<sip:a@b>;=v',
      '<sip:a@b>;x=[zz]',
      '<sip:a@b>;x="unterminated',
      '"a\nb" <sip:a@b>',
      '"a\\\nb" <sip:a@b>',
      'Jöhn <sip:a@b>',
      'Bob "x" <sip:a@b>',
      'Bob Smith',
    ];
    for (const value of bad) expect(() => parseNameAddr(value), JSON.stringify(value)).toThrow(SipParseError);
  });

  it('split - commas inside quotes and <> do not split', () => {
    expect(splitHeaderList('"Doe, J" <sip:a@b;x=1,2>, <sip:c@d> ,,e')).toEqual(['"Doe, J" <sip:a@b;x=1,2>', '<sip:c@d>', 'e']);
  });

  it('split - the first item alone, as the list would give it', () => {
    for (const value of ['"Doe, J" <sip:a@b;x=1,2>, <sip:c@d>', ' , ,e,f', 'SIP/2.0/UDP h;branch=z9hG4bK1 ', ' ', '', ',']) {
      expect(firstListItem(value), value).toBe(splitHeaderList(value)[0]);
    }
    expect(firstListItem('"a,b", c')).toBe('"a,b"');
  });

  it('via - parses IPv6 sent-by and round-trips params', () => {
    const via = parseVia('SIP/2.0/udp [2001:db8::1]:5060 ; branch=z9hG4bKx;rport');
    expect(via).toMatchObject({ transport: 'UDP', host: '[2001:db8::1]', port: 5060, params: { branch: 'z9hG4bKx', rport: null } });
    expect(formatVia(via!)).toBe('SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKx;rport');
    expect(parseVia('SIP/2.0/TCP host.example.com;branch=z9hG4bK1')?.port).toBeUndefined();
    expect(parseVia('garbage')).toBeUndefined();
    // RFC 4475 badinv01: extraneous separators
    for (const bad of ['SIP/2.0/UDP 192.0.2.15;;', 'SIP/2.0/UDP h;branch=z9hG4bK1;', 'SIP/2.0/UDP h;branch=z9hG4bK1; ;rport']) expect(parseVia(bad), bad).toBeUndefined();
    expect(parseVia('SIP/2.0/UDP host:99999')).toBeUndefined();
  });
});
