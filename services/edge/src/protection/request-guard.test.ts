import { describe, expect, it } from 'vitest';
import type { ScreenedRequest } from '@presence/sip';
import { createsWork } from './request-guard.js';
import { rateLimitKey, sourceAddress, SourceSet } from './source-address.js';

function request(method: string, inDialog: boolean, headers: string[] = []): ScreenedRequest {
  return { method, transport: 'udp', remoteAddress: '192.0.2.1', pending: 0, inDialog: () => inDialog, has: (name) => headers.includes(name) };
}

describe('request guard', () => {
  it('request guard - overload refuses what starts work out of a dialog, never in-dialog requests, CANCELs or PUBLISH refreshes', () => {
    for (const method of ['SUBSCRIBE', 'REGISTER', 'PUBLISH', 'OPTIONS', 'MESSAGE', 'INVITE']) expect(createsWork(request(method, false))).toBe(true);
    expect(createsWork(request('SUBSCRIBE', true))).toBe(false);
    expect(createsWork(request('CANCEL', false))).toBe(false);
    expect(createsWork(request('PUBLISH', false, ['sip-if-match']))).toBe(false);
  });

  it('request guard - exempt sources match CIDR blocks and single addresses of both families', () => {
    const exempt = new SourceSet(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    expect(exempt.has('10.200.3.4')).toBe(true);
    expect(exempt.has('11.0.0.1')).toBe(false);
    expect(exempt.has('192.0.2.7')).toBe(true);
    expect(exempt.has('192.0.2.8')).toBe(false);
    expect(exempt.has('2001:db8:1::5')).toBe(true);
    expect(exempt.has('2001:db9::5')).toBe(false);
    expect(new SourceSet([]).has('127.0.0.1')).toBe(false);
  });

  it('request guard - an exempt entry that is no address or block is refused, naming it', () => {
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/', '::1/129', '10.0.0.0/8x']) expect(() => new SourceSet([bad])).toThrow(`"${bad}"`);
  });

  it('request guard - an IPv4-mapped IPv6 source is its IPv4 address', () => {
    expect(sourceAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(sourceAddress('2001:db8::1')).toBe('2001:db8::1');
  });

  it('request guard - an IPv6 source is limited by its /64; an IPv4 one by its address', () => {
    expect(rateLimitKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(rateLimitKey('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(rateLimitKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(rateLimitKey('192.0.2.1')).toBe('192.0.2.1');
  });
});
