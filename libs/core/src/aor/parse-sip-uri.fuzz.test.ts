import { fuzzAssert, nameAddr, sipUri } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors/catalogue.js';
import { parseSipUri, tryParseSipUri } from './parse-sip-uri.js';

/**
 * Properties of the one SIP-URI grammar (RFC 3261 §19.1.1, §25.1): a
 * generated URI, alone or in a name-addr, reads back part by part; any text
 * is a URI or a 400 naming it (BadRequestError), never another exception.
 */
const URI_CHARS = ['s', 'i', 'p', 'S', ':', '@', '[', ']', '.', ';', '=', '?', '&', '%', '4', '1', 'a', 'F', '-', '<', '>', '"', ' ', '\\', 'é'];
const uriText = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...URI_CHARS, 'sip:', 'sips:', '%4', '[::1]', ';lr', 'user@') },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...URI_CHARS), fc.integer({ min: 1, max: 3_000 })).map(([c, n]) => c.repeat(n)) },
  ),
  { maxLength: 30 },
).map((parts) => parts.join(''));

// Counts, not time, bound these: the timeout only keeps a busy CI machine from failing them.
describe('SIP-URI parser properties', { timeout: 60_000 }, () => {
  it('fuzz - a generated SIP URI reads back: scheme, user (escapes normalized), host (lower case), port, parameters', () => {
    fuzzAssert(
      'sip-uri round trip',
      fc.property(sipUri, (written) => {
        const read = parseSipUri(written.text);
        expect({ ...read, params: [...read.params] }).toEqual({ ...written, text: undefined, params: written.params });
      }),
      1911,
      2000,
    );
  });

  // Only the <> forms: in a bare addr-spec header value, `;x` is a header parameter to
  // parseNameAddr (RFC 3261 §20.10) but a URI parameter to this grammar, which reads URIs.
  it('fuzz - inside a name-addr it reads the same as alone', () => {
    fuzzAssert(
      'sip-uri in name-addr',
      fc.property(nameAddr.filter((n) => n.text.includes('<')), (written) => {
        expect(tryParseSipUri(written.text)).toEqual(tryParseSipUri(written.uri));
      }),
      1912,
      1000,
    );
  });

  it('fuzz - any text is a URI or a BadRequestError naming it, never another exception', () => {
    fuzzAssert(
      'sip-uri text never throws untyped',
      fc.property(uriText, (text) => {
        try {
          parseSipUri(text);
        } catch (error) {
          expect(error).toBeInstanceOf(BadRequestError);
          expect((error as Error).message).toMatch(/^Invalid URI: /);
        }
      }),
      1913,
      2000,
    );
  });
});
