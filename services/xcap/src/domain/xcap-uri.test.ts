import { describe, expect, it } from 'vitest';
import { parseXcapUri } from './xcap-uri.js';

describe('parseXcapUri (RFC 4825 §6)', () => {
  it('splits document and node selector, percent-decodes, normalizes the user and binds xmlns() prefixes', () => {
    const uri = parseXcapUri('/xcap-root/pres-rules/users/sip:alice@Example.COM/index/~~/cr:ruleset/cr:rule%5B@id=%22a%22%5D', '?xmlns(cr=urn:ietf:params:xml:ns:common-policy)');
    expect(uri.ref).toEqual({ auid: 'pres-rules', scope: 'users', owner: 'sip:alice@example.com', filename: 'index' });
    expect(uri.nodeSelector).toBe('cr:ruleset/cr:rule[@id="a"]');
    expect(uri.namespaces.get('cr')).toBe('urn:ietf:params:xml:ns:common-policy');
    expect(parseXcapUri('/xcap-root/resource-lists/global/dir/file', '').ref).toEqual({ auid: 'resource-lists', scope: 'global', owner: '', filename: 'dir/file' });
  });

  it('404 outside the root, for an unknown auid, a user part that is no AOR, no document name; 400 for bad encoding or query', () => {
    for (const path of ['/other', '/xcap-root/nope/users/sip:a@b/index', '/xcap-root/resource-lists/users/alice/index', '/xcap-root/resource-lists/users/sip:a@b', '/xcap-root/resource-lists/people/x', '/xcap-root/resource-lists/global/../x']) {
      expect(() => parseXcapUri(path, ''), path).toThrow(expect.objectContaining({ status: 404 }));
    }
    expect(() => parseXcapUri('/xcap-root/resource-lists/users/sip:a@b/%E0', '')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseXcapUri('/xcap-root/resource-lists/users/sip:a@b/index', '?foo')).toThrow(expect.objectContaining({ status: 400 }));
  });
});
