import { randomBytes } from 'node:crypto';
import { DIGEST_ALGORITHMS, type AuthStateStore, type Clock, type DigestAlgorithm, type UserRecord, type UserStore } from '@presence/core';
import { MalformedCredentialsError, readDigestCredentials } from './digest-credentials.js';
import { responseMatches } from './digest-response.js';
import type { FailureLedger } from './failure-ledger.js';
import type { NonceCodec } from './nonce-codec.js';
import type { NonceKeys } from './nonce-keys.js';

/** One request to authenticate, as the protocol layer read it. */
export interface DigestAttempt {
  readonly method: string;
  /** The realm we challenge for. */
  readonly realm: string;
  /** The domain whose users may answer: username `u` is the user `sip:u@domain`. */
  readonly domain: string;
  /** Directives of the client's Digest credentials for `realm` (names lower-case), or undefined when it sent none. */
  readonly credentials: ReadonlyMap<string, string> | undefined;
  /** Where the request came from (an address), for brute-force counting. */
  readonly source: string;
}

/** One WWW-Authenticate challenge (RFC 7616 §3.3); a 401 carries one per algorithm offered, the preferred first (RFC 8760 §2.4). */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: 'auth';
  /** RFC 7616 §3.3: the digest was right but the nonce is not usable; the client retries without asking its user. */
  readonly stale: boolean;
}

/**
 * Why a request is challenged: it had no credentials for us; its nonce was
 * not ours (another realm, altered, from before a key change); its
 * credentials were wrong (wrong password, unknown or disabled user: one
 * answer for all); or its nonce is spent (expired, or its count used before).
 */
export type ChallengeReason = 'missing' | 'foreign-nonce' | 'rejected' | 'stale';

export type DigestOutcome =
  | { readonly outcome: 'authenticated'; readonly aor: string; readonly algorithm: DigestAlgorithm }
  | { readonly outcome: 'challenged'; readonly reason: ChallengeReason; readonly challenges: readonly DigestChallenge[] }
  /** Too many failures lately: refused without a challenge. */
  | { readonly outcome: 'locked-out'; readonly scope: 'source' | 'user' };

export interface DigestAuthenticatorDeps {
  /** What is offered, most preferred first, and all that is accepted; default SHA-256 then MD5. */
  readonly algorithms?: readonly DigestAlgorithm[];
  readonly users: Pick<UserStore, 'user'>;
  readonly nonceCounts: Pick<AuthStateStore, 'acceptNonceCount'>;
  readonly keys: NonceKeys;
  readonly failures: FailureLedger;
  readonly clock: Clock;
}

/**
 * Digest authentication (RFC 7616, RFC 3261 §22) of one request, protocol
 * aside. The order of the checks is what keeps it safe:
 *
 * 1. A source locked out is refused before anything else, without a challenge.
 * 2. No credentials: a challenge. Malformed ones throw MalformedCredentialsError.
 * 3. A nonce that is not ours gets a fresh challenge; it proves nothing, so
 *    it is not counted as a failure.
 * 4. A user locked out is refused (a distributed guess at one password).
 * 5. The response is checked against the user's HA1, or against a decoy HA1
 *    for an unknown or disabled user or one whose HA1 is for another realm, so
 *    all of them take the same path and get the same answer. A wrong one is
 *    counted against the source and the user.
 * 6. Only a right response learns whether its nonce is spent: expired, or its
 *    nonce count not above every one used before (replay). Either gets a
 *    challenge with stale=true (RFC 7616 §3.3: only for a valid digest).
 */
export class DigestAuthenticator {
  /** What a user who cannot authenticate is checked against (step 5): random, so nothing matches. */
  private readonly decoy: Readonly<Record<DigestAlgorithm, string>> = {
    'SHA-256': randomBytes(32).toString('hex'),
    MD5: randomBytes(16).toString('hex'),
  };

  private readonly algorithms: readonly DigestAlgorithm[];

  constructor(private readonly deps: DigestAuthenticatorDeps) {
    this.algorithms = deps.algorithms ?? DIGEST_ALGORITHMS;
    if (this.algorithms.length === 0) throw new RangeError('DigestAuthenticator: no algorithm to offer');
  }

  async authenticate(attempt: DigestAttempt): Promise<DigestOutcome> {
    const { failures, clock } = this.deps;
    const sourceKey = `src:${attempt.source}`;
    if (await failures.isLockedOut(sourceKey)) return { outcome: 'locked-out', scope: 'source' };
    let codec = await this.deps.keys.codec();
    if (attempt.credentials === undefined) return this.challenge(codec, attempt.realm, 'missing');
    const credentials = readDigestCredentials(attempt.credentials);
    if (!this.algorithms.includes(credentials.algorithm)) throw new MalformedCredentialsError(`algorithm ${credentials.algorithm} not offered`);
    let nonce = codec.check(credentials.nonce, attempt.realm, clock.now());
    if (nonce.status === 'foreign') {
      const reloaded = await this.deps.keys.reloadAfterMismatch();
      if (reloaded !== undefined) {
        codec = reloaded;
        nonce = codec.check(credentials.nonce, attempt.realm, clock.now());
      }
    }
    if (nonce.status === 'foreign' || (credentials.opaque !== undefined && credentials.opaque !== codec.opaque(attempt.realm))) {
      return this.challenge(codec, attempt.realm, 'foreign-nonce');
    }
    const aor = `sip:${credentials.username}@${attempt.domain}`;
    const userKey = `user:${aor}`;
    const [userLocked, user] = await Promise.all([failures.isLockedOut(userKey), this.deps.users.user(aor)]);
    if (userLocked) return { outcome: 'locked-out', scope: 'user' };
    const usable = isUsable(user, attempt.realm, credentials.algorithm);
    const ha1 = usable ? user.ha1[credentials.algorithm] : this.decoy[credentials.algorithm];
    if (!responseMatches(credentials, attempt.method, ha1) || !usable) {
      await Promise.all([failures.recordFailure(sourceKey), failures.recordFailure(userKey)]);
      return this.challenge(codec, attempt.realm, 'rejected');
    }
    if (nonce.status === 'expired') return this.challenge(codec, attempt.realm, 'stale');
    if (!(await this.deps.nonceCounts.acceptNonceCount(credentials.nonce, credentials.nc, nonce.remainingMs))) {
      return this.challenge(codec, attempt.realm, 'stale');
    }
    await failures.forget(userKey);
    return { outcome: 'authenticated', aor, algorithm: credentials.algorithm };
  }

  private challenge(codec: NonceCodec, realm: string, reason: ChallengeReason): DigestOutcome {
    const nonce = codec.issue(realm, this.deps.clock.now());
    const opaque = codec.opaque(realm);
    const stale = reason === 'stale';
    return { outcome: 'challenged', reason, challenges: this.algorithms.map((algorithm) => ({ realm, nonce, opaque, algorithm, qop: 'auth', stale })) };
  }
}

function isUsable(user: UserRecord | undefined, realm: string, algorithm: DigestAlgorithm): user is UserRecord {
  return user !== undefined && user.enabled && user.realm === realm && typeof user.ha1[algorithm] === 'string' && user.ha1[algorithm] !== '';
}
