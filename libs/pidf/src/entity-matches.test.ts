import { describe, expect, it } from 'vitest';
import { entityMatches } from './entity-matches.js';

const AOR = 'sip:alice@example.com';

describe('pidf entityMatches', () => {
  it.each([
    ['pres:alice@example.com'],
    ['sip:alice@example.com'],
    ['sips:alice@example.com'],
    ['SIP:alice@EXAMPLE.com'],
    ['sip:alice@example.com:5061'],
    ['sip:alice@example.com;transport=tcp'],
    ['sip:alice@example.com?subject=hi'],
    ['sip:alice:secret@example.com'],
    ['sip:%61lice@example.com'],
    ['  pres:alice@example.com  '],
  ])('pidf entityMatches - accepts %s', (entity) => {
    expect(entityMatches(entity, AOR)).toBe(true);
  });

  it.each([
    ['user case differs', 'sip:Alice@example.com'],
    ['other user', 'sip:bob@example.com'],
    ['other host', 'sip:alice@example.org'],
    ['subdomain', 'sip:alice@mail.example.com'],
    ['no user', 'sip:example.com'],
    ['other scheme', 'tel:+15551234'],
    ['im scheme', 'im:alice@example.com'],
    ['no scheme', 'alice@example.com'],
    ['empty', ''],
    ['two @', 'sip:alice@evil@example.com'],
    ['bad escape', 'sip:al%zzice@example.com'],
    ['bad port', 'sip:alice@example.com:port'],
    ['bad host', 'sip:alice@exa mple.com'],
    ['empty user', 'sip:@example.com'],
  ])('pidf entityMatches - rejects %s', (_label, entity) => {
    expect(entityMatches(entity, AOR)).toBe(false);
  });

  it('pidf entityMatches - compares IPv6 hosts and ignores their port', () => {
    expect(entityMatches('sip:a@[2001:DB8::1]:5060', 'sip:a@[2001:db8::1]')).toBe(true);
    expect(entityMatches('sip:a@[2001:db8::2]', 'sip:a@[2001:db8::1]')).toBe(false);
  });

  it('pidf entityMatches - returns false for an unparsable aor', () => {
    expect(entityMatches('sip:alice@example.com', 'not a uri')).toBe(false);
  });
});
