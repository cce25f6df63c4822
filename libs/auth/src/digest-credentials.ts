import type { DigestAlgorithm } from '@presence/core';

/** The directives of a Digest Authorization we use, checked (RFC 7616 §3.4, RFC 3261 §22.4). */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  /** digest-uri as sent: it is hashed as sent. */
  readonly uri: string;
  /** Lower-case hex. */
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  /** Always auth: the only quality of protection we offer. */
  readonly qop: 'auth';
  readonly nc: number;
  /** nc as sent (8 hex digits): it is hashed as sent. */
  readonly ncText: string;
  readonly cnonce: string;
  readonly opaque: string | undefined;
}

/** Credentials that break the Digest rules; the message names the directive (a 400 reason quotes it). */
export class MalformedCredentialsError extends Error {
  override readonly name = 'MalformedCredentialsError';
}

const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { 'SHA-256': 64, MD5: 32 };
const NC = /^[0-9a-fA-F]{8}$/;
const HEX = /^[0-9a-fA-F]*$/;

/**
 * Reads the directives of a Digest Authorization (names lower-case, values
 * unquoted). We challenge with qop="auth" only, so qop, nc and cnonce are
 * required (RFC 7616 §3.4: a client answering a challenge with qop sends
 * them); without qop a response could be replayed as long as its nonce
 * lives. An absent algorithm means MD5 (RFC 7616 §3.3); the -sess variants,
 * username* and userhash are not offered and refused.
 */
export function readDigestCredentials(params: ReadonlyMap<string, string>): DigestCredentials {
  if (params.has('username*')) throw new MalformedCredentialsError('username* not supported');
  if (params.get('userhash')?.toLowerCase() === 'true') throw new MalformedCredentialsError('userhash not supported');
  const username = required(params, 'username');
  const realm = required(params, 'realm');
  const nonce = required(params, 'nonce');
  const uri = required(params, 'uri');
  const algorithm = algorithmOf(params.get('algorithm'));
  const qop = params.get('qop');
  if (qop === undefined) throw new MalformedCredentialsError('qop=auth required');
  if (qop.toLowerCase() !== 'auth') throw new MalformedCredentialsError('qop must be auth');
  const ncText = required(params, 'nc');
  if (!NC.test(ncText)) throw new MalformedCredentialsError('nc must be 8 hex digits');
  const nc = Number.parseInt(ncText, 16);
  if (nc === 0) throw new MalformedCredentialsError('nc must be at least 1');
  const cnonce = required(params, 'cnonce');
  const response = required(params, 'response');
  if (response.length !== HEX_LENGTH[algorithm] || !HEX.test(response)) throw new MalformedCredentialsError(`response is not a ${algorithm} digest`);
  return { username, realm, nonce, uri, response: response.toLowerCase(), algorithm, qop: 'auth', nc, ncText, cnonce, opaque: params.get('opaque') };
}

function required(params: ReadonlyMap<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw new MalformedCredentialsError(`missing ${name}`);
  return value;
}

function algorithmOf(value: string | undefined): DigestAlgorithm {
  if (value === undefined) return 'MD5';
  const upper = value.toUpperCase();
  if (upper === 'SHA-256' || upper === 'MD5') return upper;
  throw new MalformedCredentialsError('algorithm not supported (SHA-256 or MD5)');
}
