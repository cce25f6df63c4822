import { MalformedCredentialsError, type DigestAuthenticator } from '@presence/auth';
import { aorDomain, BadRequestError, ForbiddenError, normalizeAor, UnauthorizedError } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { formatDigestChallenge, parseAuthHeader, SipParseError, type SipRequest } from '@presence/sip';
import { CHALLENGED_METHODS } from './challenged-methods.js';
import type { DomainPolicy } from './domain-policy.js';
import type { RealmPolicy } from './realm-policy.js';

export interface RequestAuthenticatorDeps {
  readonly digest: DigestAuthenticator;
  readonly realms: RealmPolicy;
  readonly domains: DomainPolicy;
  readonly metrics: PresenceMetrics;
}

/**
 * Turns a request of a challenged method into the AOR it is proven to act
 * for, or throws the answer: 401 with a challenge per algorithm (no
 * credentials, wrong ones, a spent nonce), 403 (a lockout, or an
 * authenticated user acting for another AOR), 400 naming what is malformed
 * in Authorization. A wrong password and an unknown user get the same
 * fresh 401, as Kamailio answers both: the UA asks its user again, and
 * nothing tells an attacker which users exist.
 */
export class RequestAuthenticator {
  constructor(private readonly deps: RequestAuthenticatorDeps) {}

  /** The requests this authenticates; others pass unchallenged. */
  challenges(method: string): boolean {
    return CHALLENGED_METHODS.has(method);
  }

  async authenticate(request: SipRequest): Promise<string> {
    const rule = CHALLENGED_METHODS.get(request.method);
    if (rule === undefined) throw new TypeError(`${request.method} is not challenged`);
    const claimed = normalizeAor(rule.uriOf(request));
    // A domain we do not serve has no users: REGISTER and PUBLISH get the 404 their handler gives, a watcher from elsewhere 403.
    if (rule.identity === 'From' && !this.deps.domains.serves(claimed)) throw new ForbiddenError('From domain not served here');
    this.deps.domains.requireServed(claimed);
    const domain = aorDomain(claimed);
    const realm = this.deps.realms.realmOf(domain);
    const { metrics } = this.deps;
    let outcome;
    try {
      outcome = await this.deps.digest.authenticate({
        method: request.method,
        realm,
        domain,
        credentials: credentialsFor(request, realm),
        source: request.flow.remoteAddress,
      });
    } catch (error) {
      if (!(error instanceof MalformedCredentialsError)) throw error;
      metrics.authFailures.inc({ reason: 'malformed' });
      throw new BadRequestError(`Malformed Authorization: ${error.message}`);
    }
    switch (outcome.outcome) {
      case 'locked-out':
        metrics.authLockouts.inc({ scope: outcome.scope });
        throw new ForbiddenError('Too many failed authentications');
      case 'challenged':
        metrics.authChallenges.inc({ reason: outcome.reason === 'foreign-nonce' ? 'foreign_nonce' : outcome.reason });
        if (outcome.reason === 'rejected') metrics.authFailures.inc({ reason: 'credentials' });
        throw new UnauthorizedError('Unauthorized', outcome.challenges.map(formatDigestChallenge));
      case 'authenticated':
        // RFC 3261 §22.1 leaves the policy to us: a user acts for its own AOR only.
        if (outcome.aor !== claimed) {
          metrics.authFailures.inc({ reason: 'identity' });
          throw new ForbiddenError(`${rule.identity} is not the authenticated user`);
        }
        metrics.authSuccesses.inc({ algorithm: outcome.algorithm });
        return outcome.aor;
    }
  }
}

/**
 * The directives of the Digest credentials for `realm` (RFC 3261 §22.4: one
 * Authorization per realm), or undefined when there are none. Any
 * Authorization that breaks the grammar is a 400 naming the problem.
 */
function credentialsFor(request: SipRequest, realm: string): ReadonlyMap<string, string> | undefined {
  for (const line of request.headerLines('authorization')) {
    let header;
    try {
      header = parseAuthHeader(line);
    } catch (error) {
      if (error instanceof SipParseError) throw new MalformedCredentialsError(error.message);
      throw error;
    }
    if (header.scheme.toLowerCase() === 'digest' && header.params.get('realm') === realm) return header.params;
  }
  return undefined;
}
