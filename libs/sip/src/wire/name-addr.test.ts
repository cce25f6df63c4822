import { describe, expect, it } from 'vitest';
import { parseNameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { splitHeaderList } from './split-list.js';
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

  it('split - commas inside quotes and <> do not split', () => {
    expect(splitHeaderList('"Doe, J" <sip:a@b;x=1,2>, <sip:c@d> ,,e')).toEqual(['"Doe, J" <sip:a@b;x=1,2>', '<sip:c@d>', 'e']);
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
