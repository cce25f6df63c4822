import { describe, expect, it } from 'vitest';
import { parseSipUri } from './sip-uri.js';

describe('sip-uri', () => {
  it('uri - user, host, port and params', () => {
    expect(parseSipUri('sip:alice@Example.COM:5070;Transport=TCP;lr?subject=x')).toEqual({
      scheme: 'sip',
      user: 'alice',
      host: 'example.com',
      port: 5070,
      params: { transport: 'TCP', lr: null },
    });
  });

  it('uri - IPv6 host without brackets, no user', () => {
    expect(parseSipUri('sips:[2001:db8::1]:5061')).toEqual({ scheme: 'sips', host: '2001:db8::1', port: 5061, params: {} });
  });

  it('uri - other schemes and malformed input give undefined', () => {
    for (const bad of ['tel:+123', 'http://x', 'sip:', 'sip:@host', 'sip:host:99999', 'sip:ho st', 'sip:[::1', 'sip:a@b:c']) {
      expect(parseSipUri(bad), bad).toBeUndefined();
    }
  });
});
