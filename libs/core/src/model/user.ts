/** Digest algorithms we offer and accept (RFC 7616 §3.7, RFC 8760 §2.4: SHA-256 first, MD5 second). */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

/**
 * A user who may authenticate (RFC 3261 §22, RFC 7616). The password itself is
 * never stored: only HA1 = H(username ":" realm ":" password) for each algorithm,
 * as Kamailio's subscriber table keeps ha1 and ha1b.
 */
export interface UserRecord {
  /** Canonical AOR (normalizeAor), the key: `sip:alice@example.com`. */
  readonly aor: string;
  /** Digest username: the AOR's user part. */
  readonly username: string;
  /** Digest realm the HA1s were computed for. */
  readonly realm: string;
  /** Lower-case hex HA1 per algorithm. */
  readonly ha1: Readonly<Record<DigestAlgorithm, string>>;
  readonly displayName?: string;
  /** A disabled user is answered exactly as an unknown one. */
  readonly enabled: boolean;
}
