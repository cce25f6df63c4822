import { describe, expect, it } from 'vitest';
import { canonicalHeaderName, HEADER_NAMES, wireHeaderName } from './header-names.js';

describe('header names', () => {
  it('canonical - lower-case names handlers use are written as the RFCs spell them', () => {
    const expected: Record<string, string> = {
      'sip-etag': 'SIP-ETag',
      'sip-if-match': 'SIP-If-Match',
      expires: 'Expires',
      'min-expires': 'Min-Expires',
      contact: 'Contact',
      'allow-events': 'Allow-Events',
      'subscription-state': 'Subscription-State',
      'content-type': 'Content-Type',
      'content-length': 'Content-Length',
      'www-authenticate': 'WWW-Authenticate',
      'proxy-authenticate': 'Proxy-Authenticate',
      authorization: 'Authorization',
      'call-id': 'Call-ID',
      cseq: 'CSeq',
      'record-route': 'Record-Route',
      'max-forwards': 'Max-Forwards',
      'retry-after': 'Retry-After',
      'user-agent': 'User-Agent',
      'mime-version': 'MIME-Version',
      rseq: 'RSeq',
      'min-se': 'Min-SE',
      accept: 'Accept',
      supported: 'Supported',
      require: 'Require',
      unsupported: 'Unsupported',
      server: 'Server',
      event: 'Event',
      allow: 'Allow',
      warning: 'Warning',
      date: 'Date',
      timestamp: 'Timestamp',
      organization: 'Organization',
    };
    for (const [given, written] of Object.entries(expected)) expect(wireHeaderName(given), given).toBe(written);
  });

  it('canonical - any case and the compact forms give the canonical name', () => {
    expect(wireHeaderName('SIP-ETAG')).toBe('SIP-ETag');
    expect(wireHeaderName('Sip-Etag')).toBe('SIP-ETag');
    expect(wireHeaderName('CALL-ID')).toBe('Call-ID');
    expect(wireHeaderName('m')).toBe('Contact');
    expect(wireHeaderName('I')).toBe('Call-ID');
    expect(wireHeaderName('o')).toBe('Event');
    expect(wireHeaderName('u')).toBe('Allow-Events');
  });

  it('canonical - every table entry is its own spelling, unique regardless of case', () => {
    const lower = new Set<string>();
    for (const name of HEADER_NAMES) {
      expect(wireHeaderName(name)).toBe(name);
      expect(wireHeaderName(name.toLowerCase())).toBe(name);
      expect(lower.has(name.toLowerCase()), name).toBe(false);
      lower.add(name.toLowerCase());
    }
  });

  it('unknown - a lower-case name gets each dash-separated word capitalised; a spelling with capitals is kept', () => {
    expect(wireHeaderName('x-custom-thing')).toBe('X-Custom-Thing');
    expect(wireHeaderName('p-charging-vector')).toBe('P-Charging-Vector');
    expect(wireHeaderName('X-MyApp-ID')).toBe('X-MyApp-ID');
    expect(wireHeaderName('z')).toBe('Z');
    // looked up twice: the same answer from the memo
    expect(wireHeaderName('x-custom-thing')).toBe('X-Custom-Thing');
  });

  it('unknown - a name that is not a token is a TypeError, CR or LF named as such', () => {
    expect(() => wireHeaderName('X-Evil\r\nVia')).toThrow(/contains CR or LF/);
    expect(() => wireHeaderName('X-Evil\n')).toThrow(/contains CR or LF/);
    for (const bad of ['', 'X Evil', 'X:Evil', 'Grüße']) expect(() => wireHeaderName(bad), JSON.stringify(bad)).toThrow(/not a token/);
  });

  it('lookup key - parsing still keys headers by lower-case long name', () => {
    expect(canonicalHeaderName('SIP-ETag')).toBe('sip-etag');
    expect(canonicalHeaderName('m')).toBe('contact');
  });
});
