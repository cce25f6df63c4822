import type { AuthStateStore, Clock, DigestAlgorithm, UserStore } from '@presence/core';
import { DigestAuthenticator } from './digest-authenticator.js';
import { FailureLedger, type LockoutPolicy } from './failure-ledger.js';
import { NonceKeys } from './nonce-keys.js';

/** Digest authentication as a server is configured for it (the SIP edge and the XCAP server take the same). */
export interface DigestAuthConfig {
  /** Realm per served domain (lower-case); a domain not listed is its own realm. */
  readonly realms: ReadonlyMap<string, string>;
  /** Offered in this order (a challenge each) and the only ones accepted; SHA-256, MD5 by default (RFC 8760 §2.4). */
  readonly algorithms: readonly DigestAlgorithm[];
  /** How long a nonce may be used (RFC 7616 §3.3); after that it is answered stale=true. */
  readonly nonceLifetimeMs: number;
  /** A configured nonce key (every server the same); absent: the key the store shares between servers. */
  readonly nonceKey?: string;
  readonly lockout: LockoutPolicy;
}

/**
 * The authenticator of one server from its configuration and store: nonces
 * signed with the configured key or the one the store shares, failures
 * counted in the store. Returns the ledger too, for checks outside Digest
 * (Basic over TLS at the XCAP server).
 */
export function createDigestAuthenticator(
  config: DigestAuthConfig,
  store: Pick<UserStore, 'user'> & AuthStateStore,
  clock: Clock,
): { readonly digest: DigestAuthenticator; readonly failures: FailureLedger } {
  const configuredKey = config.nonceKey;
  const keys = new NonceKeys({ load: configuredKey === undefined ? () => store.nonceKey() : () => Promise.resolve(configuredKey), lifetimeMs: config.nonceLifetimeMs }, clock);
  const failures = new FailureLedger(store, clock, config.lockout);
  return { digest: new DigestAuthenticator({ algorithms: config.algorithms, users: store, nonceCounts: store, keys, failures, clock }), failures };
}
