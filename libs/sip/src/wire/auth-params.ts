import { quotedStringEnd, skipLws, unquote } from './lws.js';
import { SipParseError } from './sip-parse-error.js';
import { tokenEnd } from './token-chars.js';

const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

/** A parsed Authorization or WWW-Authenticate value: the scheme and its auth-params. */
export interface AuthHeader {
  /** As received (compare case-insensitively: RFC 7235 §2.1). */
  readonly scheme: string;
  /** Lower-cased names; quoted-string values unquoted, quoted-pairs resolved. */
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Parses one Authorization, Proxy-Authorization, WWW-Authenticate or
 * Proxy-Authenticate value (RFC 3261 §25.1 `credentials` / `challenge`,
 * RFC 7616 §3.3, §3.4):
 *
 *     auth-scheme LWS auth-param *( COMMA auth-param )
 *     auth-param = auth-param-name EQUAL ( token / quoted-string )
 *     COMMA = SWS "," SWS, EQUAL = SWS "=" SWS
 *
 * One pass, linear in the length. Throws SipParseError with a message naming
 * what is wrong (a reason phrase can quote it): a missing scheme or
 * parameter, a value that is neither token nor quoted-string, an unterminated
 * quoted-string (or one holding a control character), a parameter given twice (RFC 7616 §3.4: each directive at
 * most once), trailing junk.
 */
export function parseAuthHeader(value: string): AuthHeader {
  const start = skipLws(value, 0);
  const schemeEnd = tokenEnd(value, start);
  if (schemeEnd === start) throw new SipParseError('no auth-scheme');
  const scheme = value.slice(start, schemeEnd);
  if (schemeEnd < value.length && !isLws(value.charCodeAt(schemeEnd))) throw new SipParseError(`auth-scheme ${scheme} is not a token`);
  const params = new Map<string, string>();
  let i = skipLws(value, schemeEnd);
  if (i === value.length) throw new SipParseError(`no parameters after ${scheme}`);
  for (;;) {
    const nameEnd = tokenEnd(value, i);
    if (nameEnd === i) throw new SipParseError('a parameter name is missing');
    const name = value.slice(i, nameEnd).toLowerCase();
    i = skipLws(value, nameEnd);
    if (value.charCodeAt(i) !== EQUALS) throw new SipParseError(`parameter ${shown(name)} has no value`);
    const valueStart = skipLws(value, i + 1);
    let paramValue: string;
    if (value.charCodeAt(valueStart) === QUOTE) {
      const close = quotedStringEnd(value, valueStart);
      if (close === -1) throw new SipParseError(`malformed quoted-string in ${shown(name)}`);
      paramValue = unquote(value, valueStart + 1, close - 1);
      i = close;
    } else {
      const valueEnd = tokenEnd(value, valueStart);
      if (valueEnd === valueStart) throw new SipParseError(`${shown(name)} is neither a token nor a quoted-string`);
      paramValue = value.slice(valueStart, valueEnd);
      i = valueEnd;
    }
    if (params.has(name)) throw new SipParseError(`${shown(name)} given twice`);
    params.set(name, paramValue);
    i = skipLws(value, i);
    if (i === value.length) return { scheme, params };
    if (value.charCodeAt(i) !== COMMA) throw new SipParseError(`junk after ${shown(name)}`);
    i = skipLws(value, i + 1);
  }
}

/** How formatAuthHeader writes a parameter's value. */
export interface AuthParam {
  readonly name: string;
  readonly value: string;
  /** RFC 7616 §3.3 says which directives are quoted-strings (realm, nonce, opaque, qop options) and which tokens (algorithm, stale). */
  readonly quoted: boolean;
}

/** What a Digest challenge says (RFC 7616 §3.3), whoever issued it. */
export interface DigestChallengeParams {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string;
  readonly algorithm: string;
  readonly qop: string;
  readonly stale: boolean;
}

/** A WWW-Authenticate value for one Digest challenge (RFC 7616 §3.3): the same text for SIP (RFC 3261 §22.4) and HTTP. */
export function formatDigestChallenge(challenge: DigestChallengeParams): string {
  const params: AuthParam[] = [
    { name: 'realm', value: challenge.realm, quoted: true },
    { name: 'nonce', value: challenge.nonce, quoted: true },
    { name: 'opaque', value: challenge.opaque, quoted: true },
    { name: 'algorithm', value: challenge.algorithm, quoted: false },
    { name: 'qop', value: challenge.qop, quoted: true },
  ];
  if (challenge.stale) params.push({ name: 'stale', value: 'true', quoted: false });
  return formatAuthHeader('Digest', params);
}

/**
 * Writes a WWW-Authenticate (or Authorization) value: `Digest realm="x",
 * algorithm=SHA-256, ...`, quoted values escaped (RFC 3261 §25.1
 * quoted-pair). Throws a TypeError for a scheme, name or unquoted value that
 * is not a token, or a value holding a control character: such a value
 * could break the header line it is written into.
 */
export function formatAuthHeader(scheme: string, params: readonly AuthParam[]): string {
  requireToken(scheme, 'auth-scheme');
  let out = scheme;
  for (let n = 0; n < params.length; n++) {
    const { name, value, quoted } = params[n]!;
    requireToken(name, 'auth-param name');
    if (quoted) {
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if ((c < SPACE && c !== TAB) || c === 127) throw new TypeError(`auth-param ${name} holds a control character`);
      }
    } else {
      requireToken(value, `auth-param ${name}`);
    }
    out += `${n === 0 ? ' ' : ', '}${name}=${quoted ? `"${value.replace(/["\\]/g, '\\$&')}"` : value}`;
  }
  return out;
}

function requireToken(text: string, what: string): void {
  if (text.length === 0 || tokenEnd(text, 0) !== text.length) throw new TypeError(`${what} ${JSON.stringify(text)} is not a token`);
}

function isLws(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** A parameter name as an error message quotes it: names come from the request, so long ones are cut. */
function shown(name: string): string {
  return name.length > 20 ? `${name.slice(0, 20)}...` : name;
}
