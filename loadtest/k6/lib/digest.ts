/**
 * HTTP Digest for SIP (RFC 3261 §22, RFC 7616 for SHA-256 and qop=auth,
 * RFC 8760 for SIP): parse a WWW-Authenticate / Proxy-Authenticate challenge
 * and compute the Authorization value answering it. The hash is passed in, so
 * this file stays free of k6 modules (k6/crypto in scripts, node:crypto in
 * the unit tests).
 */

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** Lower-case hex digest of the UTF-8 bytes of `text`. */
export type HexHash = (algorithm: 'MD5' | 'SHA-256', text: string) => string;

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  /** Offered qop values; empty for an RFC 2069 challenge. */
  readonly qop: readonly string[];
  readonly opaque?: string;
  readonly stale: boolean;
}

export interface DigestAnswer {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  /** Nonce count: 1 for the first use of a nonce, then 2, 3, … */
  readonly nc: number;
  readonly cnonce: string;
}

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'];

/** The challenge of a `Digest …` header value, or undefined (another scheme, an unknown algorithm, no nonce). */
export function parseDigestChallenge(value: string): DigestChallenge | undefined {
  const match = /^\s*Digest\s+([\s\S]*)$/i.exec(value);
  if (!match) return undefined;
  const params = parseAuthParams(match[1] ?? '');
  const algorithm = ALGORITHMS.find((a) => a.toLowerCase() === (params['algorithm'] ?? 'MD5').toLowerCase());
  const nonce = params['nonce'];
  if (algorithm === undefined || nonce === undefined) return undefined;
  const qop = (params['qop'] ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0);
  const challenge: DigestChallenge = { realm: params['realm'] ?? '', nonce, algorithm, qop, stale: (params['stale'] ?? '').toLowerCase() === 'true' };
  return params['opaque'] === undefined ? challenge : { ...challenge, opaque: params['opaque'] };
}

/**
 * The Authorization (or Proxy-Authorization) value for one request. Uses
 * qop=auth when offered; a challenge offering only auth-int is answered
 * without qop, which the server may refuse (we never sign bodies).
 */
export function digestAuthorization(challenge: DigestChallenge, answer: DigestAnswer, hash: HexHash): string {
  const base = challenge.algorithm.startsWith('SHA-256') ? 'SHA-256' : 'MD5';
  const h = (text: string): string => hash(base, text);
  let ha1 = h(`${answer.username}:${challenge.realm}:${answer.password}`);
  if (challenge.algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${challenge.nonce}:${answer.cnonce}`);
  const ha2 = h(`${answer.method}:${answer.uri}`);
  const useQop = challenge.qop.includes('auth');
  const nc = answer.nc.toString(16).padStart(8, '0');
  const response = useQop ? h(`${ha1}:${challenge.nonce}:${nc}:${answer.cnonce}:auth:${ha2}`) : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${answer.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${answer.uri}"`,
    `response="${response}"`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (useQop) parts.push('qop=auth', `nc=${nc}`, `cnonce="${answer.cnonce}"`);
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

/** `a="x, y", b=z` → { a: 'x, y', b: 'z' }; names lower-cased, quotes and escapes removed. */
function parseAuthParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  // Plain global regexps only: k6's runtime (Go) has no guarantee for newer flags such as `y`.
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const name = (m[1] ?? '').toLowerCase();
    params[name] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[2] ?? '');
  }
  return params;
}
