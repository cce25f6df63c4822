import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a nonce says once its signature is checked. */
export type NonceCheck =
  /** Ours and within its lifetime; `remainingMs` is how long it stays so. */
  | { readonly status: 'fresh'; readonly remainingMs: number }
  /** Ours, but its lifetime is over (or it was issued by a clock too far ahead): RFC 7616 stale. */
  | { readonly status: 'expired' }
  /** Not issued with our key for this realm: malformed, altered, or from before a key change. */
  | { readonly status: 'foreign' };

const TIME_BYTES = 8;
const RANDOM_BYTES = 12;
const MAC_BYTES = 32;
const NONCE_BYTES = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
/** Length of the nonce in base64url without padding. */
const NONCE_LENGTH = Math.ceil((NONCE_BYTES * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Realms whose opaque is remembered; realms are the served domains, so this is rarely reached. */
const MAX_REMEMBERED_OPAQUES = 256;
/** How far ahead of ours another edge's clock may be when it issues a nonce we check. */
export const MAX_CLOCK_SKEW_MS = 30_000;

/**
 * Stateless digest nonces (RFC 7616 §3.3 leaves their form to the server):
 * base64url(issue time | 12 random bytes | HMAC-SHA256(key, time | random |
 * realm)). Any process holding the key checks a nonce another issued, with
 * nothing stored; the realm is signed in, so a nonce of one realm is no good
 * for another. Signatures are compared in constant time.
 */
export class NonceCodec {
  private readonly key: Buffer;
  private readonly opaques = new Map<string, string>();

  constructor(
    key: string,
    private readonly lifetimeMs: number,
  ) {
    this.key = Buffer.from(key, 'utf8');
  }

  issue(realm: string, now: number): string {
    const nonce = Buffer.allocUnsafe(NONCE_BYTES);
    nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(now))), 0);
    randomBytes(RANDOM_BYTES).copy(nonce, TIME_BYTES);
    this.sign(nonce.subarray(0, TIME_BYTES + RANDOM_BYTES), realm).copy(nonce, TIME_BYTES + RANDOM_BYTES);
    return nonce.toString('base64url');
  }

  check(nonce: string, realm: string, now: number): NonceCheck {
    // Buffer's base64url decoder skips characters it does not know: check the alphabet first.
    if (nonce.length !== NONCE_LENGTH || !BASE64URL.test(nonce)) return FOREIGN;
    const bytes = Buffer.from(nonce, 'base64url');
    // The last character carries unused bits: only the encoding we issue is ours, so one nonce has one spelling.
    if (bytes.length !== NONCE_BYTES || bytes.toString('base64url') !== nonce) return FOREIGN;
    const expected = this.sign(bytes.subarray(0, TIME_BYTES + RANDOM_BYTES), realm);
    if (!timingSafeEqual(expected, bytes.subarray(TIME_BYTES + RANDOM_BYTES))) return FOREIGN;
    const issuedAt = Number(bytes.readBigUInt64BE(0));
    const remainingMs = issuedAt + this.lifetimeMs - now;
    if (remainingMs <= 0 || issuedAt > now + MAX_CLOCK_SKEW_MS) return EXPIRED;
    return { status: 'fresh', remainingMs };
  }

  /** The opaque of every challenge for `realm` (RFC 7616 §3.3: returned unchanged by the client); the same on every edge. */
  opaque(realm: string): string {
    // Checked on every authenticated request: remembered per realm rather than an HMAC each time.
    // A new key makes a new codec, so nothing here outlives the key it was signed with.
    let opaque = this.opaques.get(realm);
    if (opaque === undefined) {
      opaque = this.sign(Buffer.from('opaque', 'utf8'), realm).subarray(0, 16).toString('base64url');
      if (this.opaques.size >= MAX_REMEMBERED_OPAQUES) this.opaques.clear();
      this.opaques.set(realm, opaque);
    }
    return opaque;
  }

  private sign(data: Buffer, realm: string): Buffer {
    return createHmac('sha256', this.key).update(data).update('\0').update(realm, 'utf8').digest();
  }
}

const FOREIGN: NonceCheck = { status: 'foreign' };
const EXPIRED: NonceCheck = { status: 'expired' };
