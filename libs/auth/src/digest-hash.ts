import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '@presence/core';

const NODE_HASH: Readonly<Record<DigestAlgorithm, string>> = { 'SHA-256': 'sha256', MD5: 'md5' };

/** H(data) of RFC 7616 §3.4.1 in lower-case hex. */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(NODE_HASH[algorithm]).update(data, 'utf8').digest('hex');
}

/** HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2, non-session algorithms). */
export function ha1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** HA1 for every algorithm we offer: what a user record stores instead of the password. */
export function ha1ForAll(username: string, realm: string, password: string): Record<DigestAlgorithm, string> {
  return { 'SHA-256': ha1('SHA-256', username, realm, password), MD5: ha1('MD5', username, realm, password) };
}
