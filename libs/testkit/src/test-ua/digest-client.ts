import { randomBytes } from 'node:crypto';
import { digestAnswer } from '@presence/auth';
import { formatAuthHeader, parseAuthHeader, type SipResponse } from '@presence/sip';

export type DigestAlgorithmChoice = 'SHA-256' | 'MD5';

export interface DigestCredentialsOptions {
  /** Digest username; default the user part of the UA's AOR. */
  readonly username?: string;
  readonly password: string;
  /** The algorithm to answer with; default SHA-256 when offered, else MD5 (RFC 8760 §2.4: the first one we support). */
  readonly algorithm?: DigestAlgorithmChoice;
  /** Send the last challenge's nonce again with the next count on later requests, as phones do (default true). */
  readonly reuseNonce?: boolean;
}

interface HeldChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: DigestAlgorithmChoice;
  nc: number;
}

/**
 * A UA's side of digest authentication (RFC 3261 §22.2, RFC 7616 §3.4):
 * answers a 401 with an Authorization for the challenge it picks, and keeps
 * that nonce for later requests with a rising nonce count.
 */
export class DigestClient {
  private held: HeldChallenge | undefined;

  constructor(
    private readonly options: DigestCredentialsOptions,
    private readonly defaultUsername: string,
  ) {}

  /** An Authorization for the held nonce (next count), or undefined when none is held or reuse is off. */
  preemptive(method: string, uri: string): string | undefined {
    if (this.held === undefined || this.options.reuseNonce === false) return undefined;
    return this.authorization(this.held, method, uri);
  }

  /**
   * The Authorization answering a 401's WWW-Authenticate (the preferred
   * algorithm among those offered), or undefined when there is nothing we
   * can answer.
   */
  answer(response: SipResponse, method: string, uri: string): string | undefined {
    const offered = response.headerLines('www-authenticate').map(parseAuthHeader).filter((c) => c.scheme.toLowerCase() === 'digest');
    const wanted = this.options.algorithm === undefined ? ['SHA-256', 'MD5'] : [this.options.algorithm];
    for (const algorithm of wanted) {
      const challenge = offered.find((c) => (c.params.get('algorithm') ?? 'MD5').toUpperCase() === algorithm);
      const realm = challenge?.params.get('realm');
      const nonce = challenge?.params.get('nonce');
      if (challenge === undefined || realm === undefined || nonce === undefined) continue;
      this.held = { realm, nonce, opaque: challenge.params.get('opaque'), algorithm: algorithm as DigestAlgorithmChoice, nc: 0 };
      return this.authorization(this.held, method, uri);
    }
    return undefined;
  }

  /** stale=true on a 401: the password was right, only the nonce was spent (RFC 7616 §3.3). */
  static isStale(response: SipResponse): boolean {
    return response.headerLines('www-authenticate').some((line) => parseAuthHeader(line).params.get('stale')?.toLowerCase() === 'true');
  }

  private authorization(held: HeldChallenge, method: string, uri: string): string {
    held.nc++;
    const directives = digestAnswer({
      realm: held.realm,
      nonce: held.nonce,
      opaque: held.opaque,
      algorithm: held.algorithm,
      username: this.options.username ?? this.defaultUsername,
      password: this.options.password,
      method,
      uri,
      nc: held.nc,
      cnonce: randomBytes(12).toString('base64url'),
    });
    return formatAuthHeader('Digest', directives);
  }
}
