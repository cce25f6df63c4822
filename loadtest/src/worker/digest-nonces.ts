import { randomBytes } from 'node:crypto';
import { digestAnswer, ha1, type DigestAnswerInput } from '@presence/auth';
import { formatAuthHeader, parseAuthHeader, SipParseError } from '@presence/sip';

type Algorithm = DigestAnswerInput['algorithm'];

/** RFC 8760 §2.4: answer the first algorithm we support, SHA-256 before MD5. */
const PREFERRED: readonly Algorithm[] = ['SHA-256', 'MD5'];

/** The nonce an AOR answers with until the server says it is spent, and how many requests it has answered. */
interface HeldNonce {
  readonly username: string;
  realm: string;
  nonce: string;
  opaque: string | undefined;
  algorithm: Algorithm;
  /** HA1 for username, realm and algorithm: hashed when one of them changes, never per request. */
  ha1: string;
  /** One per nonce: the nonce count, not the cnonce, tells the server one request from the next. */
  cnonce: string;
  nc: number;
}

/** What a 401 gave an AOR to answer with. */
export interface AdoptedChallenge {
  /** RFC 7616 §3.3: our digest was right, only the nonce was spent (expired or count reused). */
  readonly stale: boolean;
}

/**
 * The digest state of a worker's AORs (every bench user has the same
 * password), as a phone keeps it: a 401 gives an AOR a nonce, which its
 * following requests send again with a rising nonce count (RFC 7616 §3.4),
 * so a challenge costs one round trip per nonce lifetime, not one per
 * request. One entry per AOR that was ever challenged: bounded by the AORs
 * the worker owns; clear() at the end.
 *
 * Per AOR, not per socket: each AOR has one request outstanding at a time,
 * so its counts reach the server in order; a nonce shared by the requests
 * of a socket would reach it out of order and be refused as a replay.
 */
export class DigestNonces {
  private readonly held = new Map<string, HeldNonce>();

  constructor(private readonly password: string) {}

  get size(): number {
    return this.held.size;
  }

  /** The Authorization value for `aor`'s nonce with the next count, or undefined before its first challenge. */
  authorization(aor: string, method: string, uri: string): string | undefined {
    const held = this.held.get(aor);
    if (held === undefined) return undefined;
    held.nc++;
    const { username, realm, nonce, opaque, algorithm, cnonce, nc } = held;
    return formatAuthHeader('Digest', digestAnswer({ realm, nonce, opaque, algorithm, username, ha1: held.ha1, method, uri, nc, cnonce }));
  }

  /**
   * Takes the nonce of a 401's challenges for `aor` (SHA-256 if offered,
   * else MD5, qop=auth only); undefined when none of them can be answered.
   */
  adopt(aor: string, wwwAuthenticate: readonly string[]): AdoptedChallenge | undefined {
    for (const algorithm of PREFERRED) {
      for (const value of wwwAuthenticate) {
        const challenge = readChallenge(value);
        if (challenge === undefined || challenge.algorithm !== algorithm) continue;
        this.hold(aor, challenge);
        return { stale: challenge.stale };
      }
    }
    return undefined;
  }

  clear(): void {
    this.held.clear();
  }

  private hold(aor: string, challenge: Challenge): void {
    const cnonce = randomBytes(9).toString('base64url');
    const held = this.held.get(aor);
    if (held === undefined) {
      const username = aor.slice(aor.indexOf(':') + 1, aor.indexOf('@'));
      const hashed = ha1(challenge.algorithm, username, challenge.realm, this.password);
      const { realm, nonce, opaque, algorithm } = challenge;
      this.held.set(aor, { username, realm, nonce, opaque, algorithm, ha1: hashed, cnonce, nc: 0 });
      return;
    }
    if (held.realm !== challenge.realm || held.algorithm !== challenge.algorithm) {
      held.ha1 = ha1(challenge.algorithm, held.username, challenge.realm, this.password);
    }
    held.realm = challenge.realm;
    held.nonce = challenge.nonce;
    held.opaque = challenge.opaque;
    held.algorithm = challenge.algorithm;
    held.cnonce = cnonce;
    held.nc = 0;
  }
}

interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: Algorithm;
  readonly stale: boolean;
}

/** A Digest challenge we can answer (qop=auth offered, an algorithm we know), or undefined. */
function readChallenge(value: string): Challenge | undefined {
  let header;
  try {
    header = parseAuthHeader(value);
  } catch (error) {
    if (error instanceof SipParseError) return undefined;
    throw error;
  }
  if (header.scheme.toLowerCase() !== 'digest') return undefined;
  const { params } = header;
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  // RFC 7616 §3.3: no algorithm means MD5.
  const algorithm = PREFERRED.find((a) => a === (params.get('algorithm') ?? 'MD5').toUpperCase());
  const qopAuth = (params.get('qop') ?? '').split(',').some((option) => option.trim().toLowerCase() === 'auth');
  if (realm === undefined || nonce === undefined || algorithm === undefined || !qopAuth) return undefined;
  return { realm, nonce, opaque: params.get('opaque'), algorithm, stale: params.get('stale')?.toLowerCase() === 'true' };
}
