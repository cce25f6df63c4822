import { timingSafeEqual } from 'node:crypto';
import { digestHash } from './digest-hash.js';
import type { DigestCredentials } from './digest-credentials.js';

/**
 * The response a client knowing the password computes (RFC 7616 §3.4.1,
 * qop=auth): KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" H(method ":" digest-uri)).
 */
export function expectedResponse(
  credentials: Pick<DigestCredentials, 'algorithm' | 'nonce' | 'ncText' | 'cnonce' | 'qop' | 'uri'>,
  method: string,
  ha1: string,
): string {
  const { algorithm, nonce, ncText, cnonce, qop, uri } = credentials;
  const ha2 = digestHash(algorithm, `${method}:${uri}`);
  return digestHash(algorithm, `${ha1}:${nonce}:${ncText}:${cnonce}:${qop}:${ha2}`);
}

/** True when the credentials' response is the one `ha1` gives; compared in constant time. */
export function responseMatches(credentials: DigestCredentials, method: string, ha1: string): boolean {
  const expected = Buffer.from(expectedResponse(credentials, method, ha1), 'utf8');
  const given = Buffer.from(credentials.response, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
