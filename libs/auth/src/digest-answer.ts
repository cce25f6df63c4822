import type { DigestAlgorithm } from '@presence/core';
import { ha1 } from './digest-hash.js';
import { expectedResponse } from './digest-response.js';

/** A directive of a Digest header and whether it is written as a quoted-string (RFC 7616 §3.4). */
export interface DigestDirective {
  readonly name: string;
  readonly value: string;
  readonly quoted: boolean;
}

interface DigestAnswerFields {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly method: string;
  /** digest-uri: the Request-URI (RFC 3261 §22.4). */
  readonly uri: string;
  /** Nonce count: how many requests this nonce has answered, this one included. */
  readonly nc: number;
  readonly cnonce: string;
}

/**
 * The password, or its HA1 for this username, realm and algorithm (what
 * ha1() gives): a UA answering many requests hashes its password once.
 */
export type DigestAnswerInput = DigestAnswerFields & ({ readonly password: string } | { readonly ha1: string });

/**
 * The client side: the directives of an Authorization answering a
 * challenge with qop=auth (RFC 7616 §3.4), in the order RFC 7616 §3.9.1
 * writes them. For user agents that test or load the server.
 */
export function digestAnswer(input: DigestAnswerInput): DigestDirective[] {
  const ncText = input.nc.toString(16).padStart(8, '0');
  const response = expectedResponse(
    { algorithm: input.algorithm, nonce: input.nonce, ncText, cnonce: input.cnonce, qop: 'auth', uri: input.uri },
    input.method,
    'ha1' in input ? input.ha1 : ha1(input.algorithm, input.username, input.realm, input.password),
  );
  const directives: DigestDirective[] = [
    { name: 'username', value: input.username, quoted: true },
    { name: 'realm', value: input.realm, quoted: true },
    { name: 'uri', value: input.uri, quoted: true },
    { name: 'algorithm', value: input.algorithm, quoted: false },
    { name: 'nonce', value: input.nonce, quoted: true },
    { name: 'nc', value: ncText, quoted: false },
    { name: 'cnonce', value: input.cnonce, quoted: true },
    { name: 'qop', value: 'auth', quoted: false },
    { name: 'response', value: response, quoted: true },
  ];
  if (input.opaque !== undefined) directives.push({ name: 'opaque', value: input.opaque, quoted: true });
  return directives;
}
