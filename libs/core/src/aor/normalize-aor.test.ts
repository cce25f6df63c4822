import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors/catalogue.js';
import { aorDomain, contactKey, normalizeAor } from './normalize-aor.js';

describe('normalizeAor', () => {
  it('normalizeAor - keeps a canonical AOR unchanged', () => {
    expect(normalizeAor('sip:alice@example.com')).toBe('sip:alice@example.com');
  });

  it('normalizeAor - lower-cases the host but keeps the user case-sensitive', () => {
    expect(normalizeAor('sip:Alice@Example.COM')).toBe('sip:Alice@example.com');
  });

  it('normalizeAor - maps sips and an upper-case scheme to sip', () => {
    expect(normalizeAor('SIPS:alice@example.com')).toBe('sip:alice@example.com');
    expect(normalizeAor('Sip:alice@example.com')).toBe('sip:alice@example.com');
  });

  it('normalizeAor - drops password, port, parameters and headers', () => {
    expect(normalizeAor('sip:alice:secret@example.com:5070;transport=tcp;lr?subject=hi&priority=urgent')).toBe(
      'sip:alice@example.com',
    );
  });

  it('normalizeAor - decodes escapes of unreserved characters only', () => {
    expect(normalizeAor('sip:%61lice%2Dx@example.com')).toBe('sip:alice-x@example.com');
    expect(normalizeAor('sip:a%40b%3ac@example.com')).toBe('sip:a%40b%3Ac@example.com');
  });

  it('normalizeAor - accepts a name-addr with or without display name and header params', () => {
    expect(normalizeAor('<sip:alice@example.com>')).toBe('sip:alice@example.com');
    expect(normalizeAor('Alice Smith <sip:alice@example.com>;tag=1928')).toBe('sip:alice@example.com');
    expect(normalizeAor('"Smith, <Alice>" <sips:alice@Example.com:5061>')).toBe('sip:alice@example.com');
    expect(normalizeAor('  <sip:alice@example.com> ')).toBe('sip:alice@example.com');
  });

  it('normalizeAor - gives sip:host for a URI without user', () => {
    expect(normalizeAor('sip:Example.com:5060;transport=udp')).toBe('sip:example.com');
    expect(normalizeAor('sip:[2001:DB8::1]:5060')).toBe('sip:[2001:db8::1]');
  });

  it('normalizeAor - accepts user-unreserved characters such as telephone-subscriber users', () => {
    expect(normalizeAor('sip:+1-212-555-1212;phone-context=x@gw.example.com;user=phone')).toBe(
      'sip:+1-212-555-1212;phone-context=x@gw.example.com',
    );
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['tel URI', 'tel:+15551234'],
    ['http URI', 'http://example.com'],
    ['no scheme', 'alice@example.com'],
    ['space in user', 'sip:al ice@example.com'],
    ['space in host', 'sip:alice@exa mple.com'],
    ['empty user', 'sip:@example.com'],
    ['empty host', 'sip:alice@'],
    ['two @', 'sip:a@b@example.com'],
    ['bad port', 'sip:alice@example.com:99999'],
    ['empty port', 'sip:alice@example.com:'],
    ['bad escape', 'sip:al%zzice@example.com'],
    ['bad host char', 'sip:alice@exa_mple.com'],
    ['unclosed angle', '<sip:alice@example.com'],
    ['unterminated quote', '"Alice <sip:alice@example.com>'],
    ['junk after angle', '<sip:alice@example.com> junk'],
    ['unclosed IPv6', 'sip:[::1'],
  ])('normalizeAor - rejects %s with 400 Invalid URI', (_name, input) => {
    expect(() => normalizeAor(input)).toThrow(BadRequestError);
    expect(() => normalizeAor(input)).toThrow(/^Invalid URI: /);
  });

  it('normalizeAor - truncates a long bad input in the reason', () => {
    const input = `tel:${'9'.repeat(500)}`;
    try {
      normalizeAor(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).reason.length).toBeLessThan(100);
      expect((err as BadRequestError).status).toBe(400);
    }
  });

  it('normalizeAor - is idempotent', () => {
    const once = normalizeAor('"A" <sips:Al%69ce@EXAMPLE.com:5061;x=y>');
    expect(normalizeAor(once)).toBe(once);
  });
});

describe('aorDomain', () => {
  it('aorDomain - returns the lower-cased host', () => {
    expect(aorDomain('sip:alice@Example.COM')).toBe('example.com');
    expect(aorDomain('sip:example.org')).toBe('example.org');
  });

  it('aorDomain - rejects a non-SIP AOR', () => {
    expect(() => aorDomain('tel:+1555')).toThrow(BadRequestError);
  });
});

describe('contactKey', () => {
  it('contactKey - makes the default port explicit per scheme', () => {
    expect(contactKey('sip:alice@192.0.2.4')).toBe('sip:alice@192.0.2.4:5060');
    expect(contactKey('sips:alice@host.example.com')).toBe('sips:alice@host.example.com:5061');
  });

  it('contactKey - treats an explicit default port, host case and other params as equal', () => {
    const a = contactKey('<sip:alice@HOST.example.com;ob;expires=60>');
    const b = contactKey('sip:alice@host.example.com:5060');
    expect(a).toBe(b);
  });

  it('contactKey - includes the transport parameter, lower-cased', () => {
    expect(contactKey('sip:alice@host;Transport=TCP')).toBe('sip:alice@host:5060;transport=tcp');
    expect(contactKey('sip:alice@host;transport=tcp')).not.toBe(contactKey('sip:alice@host;transport=udp'));
    expect(contactKey('sip:alice@host;transport=tcp')).not.toBe(contactKey('sip:alice@host'));
  });

  it('contactKey - distinguishes user case, port and scheme', () => {
    expect(contactKey('sip:Alice@host')).not.toBe(contactKey('sip:alice@host'));
    expect(contactKey('sip:alice@host:5070')).not.toBe(contactKey('sip:alice@host'));
    expect(contactKey('sips:alice@host:5060')).not.toBe(contactKey('sip:alice@host:5060'));
  });

  it('contactKey - decodes escaped unreserved characters of the user', () => {
    expect(contactKey('sip:%61lice@host')).toBe(contactKey('sip:alice@host'));
  });

  it('contactKey - handles a URI without user', () => {
    expect(contactKey('sip:Host.example.com')).toBe('sip:host.example.com:5060');
  });

  it('contactKey - rejects non-SIP contacts and an empty transport', () => {
    expect(() => contactKey('tel:+1555')).toThrow(BadRequestError);
    expect(() => contactKey('sip:alice@host;transport')).toThrow(/^Invalid URI: /);
  });
});
