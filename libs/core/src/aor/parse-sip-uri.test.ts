import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors/catalogue.js';
import { parseSipUri, socketHost, tryParseSipUri } from './parse-sip-uri.js';

describe('parseSipUri', () => {
  it('parseSipUri - user, host, port and parameters; URI headers ignored', () => {
    const uri = parseSipUri('sip:alice@Example.COM:5070;Transport=TCP;lr?subject=x');
    expect(uri).toMatchObject({ scheme: 'sip', user: 'alice', host: 'example.com', port: 5070 });
    expect([...uri.params]).toEqual([
      ['transport', 'TCP'],
      ['lr', ''],
    ]);
  });

  it('parseSipUri - an IPv6 reference keeps its brackets; socketHost drops them', () => {
    const uri = parseSipUri('sips:[2001:db8::1]:5061');
    expect(uri).toMatchObject({ scheme: 'sips', host: '[2001:db8::1]', port: 5061 });
    expect(uri.user).toBeUndefined();
    expect(socketHost(uri)).toBe('2001:db8::1');
    expect(socketHost(parseSipUri('sip:a@h.example'))).toBe('h.example');
  });

  it('parseSipUri - other schemes and malformed input are a 400 naming the URI', () => {
    for (const bad of ['tel:+123', 'http://x', 'sip:', 'sip:@host', 'sip:host:99999', 'sip:ho st', 'sip:[::1', 'sip:a@b:c', '<sip:a@b', 'sip:w@127.0.0.1:5099 x']) {
      expect(() => parseSipUri(bad), bad).toThrow(BadRequestError);
      expect(() => parseSipUri(bad), bad).toThrow(/^Invalid URI: /);
      expect(tryParseSipUri(bad), bad).toBeUndefined();
    }
  });

  it('parseSipUri - an IPv6 reference of 60 000 colons and a stray letter is refused (once quadratic: regex/redos test)', () => {
    expect(tryParseSipUri(`sip:[${':'.repeat(60_000)}g]`)).toBeUndefined();
    expect(tryParseSipUri(`sip:[${':'.repeat(60_000)}1]`)?.host).toHaveLength(60_003);
  });

  it('tryParseSipUri - gives what parseSipUri gives for a valid URI, in or out of a name-addr', () => {
    for (const good of ['sip:bob@example.com;transport=ws', '"Bob" <sips:bob@example.com:5061>;tag=1', '<sip:[::1]:5080>']) {
      expect(tryParseSipUri(good), good).toEqual(parseSipUri(good));
    }
  });
});
