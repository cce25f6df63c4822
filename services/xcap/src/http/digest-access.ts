import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { createDigestAuthenticator, ha1, MalformedCredentialsError, type DigestAuthConfig, type DigestAuthenticator, type FailureLedger } from '@presence/auth';
import { aorDomain, type AuthStateStore, type Clock, type UserStore, type XcapDocumentRef } from '@presence/core';
import { formatDigestChallenge, parseAuthHeader, SipParseError } from '@presence/sip';
import { XcapFailure } from '../domain/xcap-failure.js';
import type { XcapAuthenticator, XcapRequester } from './xcap-server.js';

/** The SIP edge's digest settings (--auth, --realm, --auth-algorithms, ...), as libs/auth defines them. */
export type DigestAccessConfig = DigestAuthConfig;

/**
 * HTTP authentication of XCAP requests (issue #12) against the SIP users:
 * Digest (RFC 7616) through libs/auth's DigestAuthenticator, the same
 * nonces, HA1s and failure ledger as the SIP edge, and Basic (RFC 7617)
 * only on HTTPS, checked against the stored HA1. The realm is the one of
 * the domain of the user tree addressed; the global tree (read only) is
 * open to anyone.
 */
export class DigestAccess implements XcapAuthenticator {
  private readonly digest: DigestAuthenticator;
  private readonly failures: FailureLedger;

  constructor(
    private readonly config: DigestAccessConfig,
    private readonly store: Pick<UserStore, 'user'> & AuthStateStore,
    clock: Clock,
  ) {
    ({ digest: this.digest, failures: this.failures } = createDigestAuthenticator(config, store, clock));
  }

  async authenticate(request: IncomingMessage, ref: XcapDocumentRef, secure: boolean): Promise<XcapRequester> {
    if (ref.scope === 'global') return { open: true };
    const domain = aorDomain(ref.owner);
    const realm = this.config.realms.get(domain) ?? domain;
    const header = request.headers.authorization;
    const source = request.socket.remoteAddress ?? 'unknown';
    if (header !== undefined && /^basic\s/i.test(header)) {
      if (!secure) throw new XcapFailure(403, 'Forbidden: Basic authentication only over HTTPS; use Digest');
      return this.basic(header, realm, domain, source);
    }
    const credentials = header === undefined ? undefined : digestParams(header, realm);
    if (credentials !== undefined && credentials.get('uri') !== request.url) throw new XcapFailure(400, 'Bad Request: Authorization uri is not the request URI');
    let outcome;
    try {
      outcome = await this.digest.authenticate({ method: request.method ?? 'GET', realm, domain, credentials, source });
    } catch (error) {
      if (error instanceof MalformedCredentialsError) throw new XcapFailure(400, `Bad Request: malformed Authorization: ${error.message}`);
      throw error;
    }
    if (outcome.outcome === 'authenticated') return { aor: outcome.aor };
    if (outcome.outcome === 'locked-out') throw new XcapFailure(403, 'Forbidden: too many failed authentications');
    throw new XcapFailure(401, 'Unauthorized', undefined, { 'WWW-Authenticate': outcome.challenges.map(formatDigestChallenge) });
  }

  /** RFC 7617 Basic over TLS: the password's HA1 for the user's realm must equal the stored one; failures count as digest ones do. */
  private async basic(header: string, realm: string, domain: string, source: string): Promise<XcapRequester> {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new XcapFailure(400, 'Bad Request: malformed Basic credentials');
    const username = decoded.slice(0, colon);
    const aor = `sip:${username}@${domain}`;
    const sourceKey = `src:${source}`;
    const userKey = `user:${aor}`;
    if ((await this.failures.isLockedOut(sourceKey)) || (await this.failures.isLockedOut(userKey))) throw new XcapFailure(403, 'Forbidden: too many failed authentications');
    const user = await this.store.user(aor);
    const algorithm = this.config.algorithms[0]!;
    const stored = user?.enabled === true && user.realm === realm ? user.ha1[algorithm] : undefined;
    const offered = Buffer.from(ha1(algorithm, username, realm, decoded.slice(colon + 1)), 'utf8');
    if (stored === undefined || stored.length !== offered.length || !timingSafeEqual(Buffer.from(stored, 'utf8'), offered)) {
      await Promise.all([this.failures.recordFailure(sourceKey), this.failures.recordFailure(userKey)]);
      throw new XcapFailure(401, 'Unauthorized', undefined, { 'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"` });
    }
    await this.failures.forget(userKey);
    return { aor };
  }
}

/** The Digest directives of the Authorization for `realm`; another realm's credentials count as none. */
function digestParams(header: string, realm: string): ReadonlyMap<string, string> | undefined {
  let parsed;
  try {
    parsed = parseAuthHeader(header);
  } catch (error) {
    if (error instanceof SipParseError) throw new XcapFailure(400, `Bad Request: malformed Authorization: ${error.message}`);
    throw error;
  }
  if (parsed.scheme.toLowerCase() !== 'digest' || parsed.params.get('realm') !== realm) return undefined;
  return parsed.params;
}
