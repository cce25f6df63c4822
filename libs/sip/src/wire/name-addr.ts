import { parseGenericParams } from './generic-params.js';
import { quotedStringEnd, skipLws, trimLwsEnd, unquote } from './lws.js';
import { SipParseError } from './sip-parse-error.js';
import { tokenEnd } from './token-chars.js';

export interface NameAddr {
  readonly displayName?: string;
  readonly uri: string;
  /** Header parameters (tag, expires, q, ...) with lower-cased names; valueless ones are null. */
  readonly params: Readonly<Record<string, string | null>>;
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const COLON = 58;
const SEMI = 59;
const LT = 60;
const GT = 62;
const QUESTION = 63;

/**
 * Parses a name-addr or addr-spec with header parameters (RFC 3261 §25.1,
 * §20.10, §20.20, §20.39), e.g. `"Alice" <sip:alice@example.com>;tag=1`:
 *
 *     ( [ display-name ] LAQUOT addr-spec RAQUOT / addr-spec ) *( SEMI generic-param )
 *     display-name = *( token LWS ) / quoted-string
 *
 * One pass over the value, so its cost is linear in the length whatever the
 * input (the `sip` package's regular expressions were quadratic on runs of
 * whitespace). Whitespace around the parts is tolerated; anything else the
 * grammar does not allow — trailing junk, a URI with whitespace or control
 * characters, a parameter that is not a token, host or quoted-string, a tag
 * that is not a token — throws SipParseError.
 */
export function parseNameAddr(value: string): NameAddr {
  const start = skipLws(value, 0);
  const first = value.charCodeAt(start);
  let displayName: string | undefined;
  let lt: number;
  if (first === QUOTE) {
    const close = quotedStringEnd(value, start);
    if (close === -1) throw notNameAddr(value);
    displayName = unquote(value, start + 1, close - 1);
    lt = skipLws(value, close);
  } else if (first === LT) {
    lt = start;
  } else {
    const word = tokenEnd(value, start);
    if (word === start) throw notNameAddr(value);
    // §20.10: without <>, the URI ends at the first ';' (header parameters follow) or whitespace.
    if (value.charCodeAt(word) === COLON) return addrSpec(value, start);
    lt = displayNameEnd(value, word);
    if (lt === -1) throw notNameAddr(value);
    displayName = value.slice(start, trimLwsEnd(value, start, lt));
  }
  if (value.charCodeAt(lt) !== LT) throw notNameAddr(value);
  const gt = value.indexOf('>', lt + 1);
  if (gt === -1) throw notNameAddr(value);
  const uriStart = skipLws(value, lt + 1);
  const uri = value.slice(uriStart, trimLwsEnd(value, uriStart, gt));
  const params = parseGenericParams(value, gt + 1);
  if (!isUri(uri) || params === undefined) throw notNameAddr(value);
  return displayName === undefined || displayName.length === 0 ? { uri, params } : { displayName, uri, params };
}

/** A bare addr-spec and its header parameters. */
function addrSpec(value: string, start: number): NameAddr {
  let end = start;
  while (end < value.length) {
    const c = value.charCodeAt(end);
    if (c === SEMI || c === SPACE || c === TAB) break;
    // §20.10: a URI with headers (or a comma or semicolon) must be in <>; without them it is malformed.
    if (c === QUESTION) throw notNameAddr(value);
    end++;
  }
  const uri = value.slice(start, end);
  const params = parseGenericParams(value, end);
  if (!isUri(uri) || params === undefined) throw notNameAddr(value);
  return { uri, params };
}

/** After the first token of a display name: the index of the '<' that follows `*( LWS token )`, or -1. */
function displayNameEnd(value: string, afterFirstToken: number): number {
  let i = skipLws(value, afterFirstToken);
  while (i < value.length && value.charCodeAt(i) !== LT) {
    const word = tokenEnd(value, i);
    if (word === i) return -1;
    i = skipLws(value, word);
  }
  return i < value.length ? i : -1;
}

/**
 * An absolute URI as name-addr and addr-spec may carry it: scheme ":" and at
 * least one more character, none of them whitespace, a control character or
 * one that RFC 3986 never allows unescaped (`"<>\^`{|}`). Non-ASCII is let
 * through: it is harmless to copy, and some UAs send UTF-8 user parts.
 */
export function isUri(uri: string): boolean {
  const colon = uri.indexOf(':');
  if (colon <= 0 || colon === uri.length - 1 || !isScheme(uri, colon)) return false;
  for (let i = colon + 1; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c < 128 && NOT_IN_URI[c] === 1) return false;
  }
  return true;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
function isScheme(uri: string, colon: number): boolean {
  for (let i = 0; i < colon; i++) {
    const c = uri.charCodeAt(i);
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (i === 0 ? !alpha : !(alpha || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false;
  }
  return true;
}

const NOT_IN_URI = new Uint8Array(128);
for (let c = 0; c <= SPACE; c++) NOT_IN_URI[c] = 1;
for (const c of '"<>\\^`{|}\x7f') NOT_IN_URI[c.charCodeAt(0)] = 1;

function notNameAddr(value: string): SipParseError {
  return new SipParseError(`not a name-addr: ${value.length > 80 ? `${value.slice(0, 80)}...` : value}`);
}
