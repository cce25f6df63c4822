import { describe, expect, it } from 'vitest';
import { parseNameAddr } from './name-addr.js';
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

  it('name-addr - garbage throws SipParseError', () => {
    for (const bad of ['', '<<<', '"unterminated', 'no-scheme-here', '<>']) {
      expect(() => parseNameAddr(bad), bad).toThrow(SipParseError);
    }
  });

  it('name-addr - <uri> with plain parameters gives what the general grammar gives', () => {
    // A leading space takes the value past the shortcut for `<uri>;params` to the grammar.
    const values = [
      '<sip:alice@example.com>;tag=a1b2c3',
      '<sip:alice@example.com;transport=tcp>;TAG=X;expires=60;lr',
      '< sip:bob@example.com >',
      '<sip:a@b>;tag=;x=1',
      '<sip:a@b>;;x',
      '<sip:a@b>;x=1 trailing',
      '<sip:a@b>;x="q"',
      '<sip:a@b>;a=1;A=2',
      '<sip:a@b>;__proto__;a=1',
      '<sip:ü@b>;tag=é',
    ];
    for (const value of values) expect(parseNameAddr(value), value).toEqual(parseNameAddr(` ${value}`));
    expect(parseNameAddr('<sip:a@b>;a=1;A=2')).toEqual({ uri: 'sip:a@b', params: { a: '2' } });
    expect(() => parseNameAddr('<no-scheme>;tag=1')).toThrow(SipParseError);
    expect(() => parseNameAddr('< >;tag=1')).toThrow(SipParseError);
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
    expect(parseVia('SIP/2.0/UDP host:99999')).toBeUndefined();
  });
});
