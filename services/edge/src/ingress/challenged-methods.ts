import type { SipRequest } from '@presence/sip';

/** How a challenged method names the AOR acting: its user is who must authenticate, and its domain picks the realm. */
export interface ChallengeRule {
  /** Where that AOR is read, as a 403 reason names it. */
  readonly identity: 'To' | 'Request-URI' | 'From';
  readonly uriOf: (request: SipRequest) => string;
}

/**
 * The methods challenged when authentication is on, in one place, each with
 * the AOR only its own user may act for (RFC 3261 §22.1, §10.3 step 3 for
 * REGISTER): REGISTER binds contacts for the To AOR; PUBLISH publishes the
 * Request-URI's presentity; SUBSCRIBE, initial or in-dialog, watches as the
 * From AOR; MESSAGE is sent as the From AOR (no one may send as another).
 * Other methods (OPTIONS) are answered without a challenge.
 */
export const CHALLENGED_METHODS: ReadonlyMap<string, ChallengeRule> = new Map<string, ChallengeRule>([
  ['REGISTER', { identity: 'To', uriOf: (request) => request.to.uri }],
  ['PUBLISH', { identity: 'Request-URI', uriOf: (request) => request.uri }],
  ['SUBSCRIBE', { identity: 'From', uriOf: (request) => request.from.uri }],
  ['MESSAGE', { identity: 'From', uriOf: (request) => request.from.uri }],
]);
