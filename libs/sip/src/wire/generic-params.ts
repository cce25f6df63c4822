import { quotedStringEnd, skipLws } from './lws.js';
import { tokenEnd } from './token-chars.js';

const SEMI = 59;
const EQUALS = 61;
const QUOTE = 34;
const LBRACKET = 91;
const RBRACKET = 93;

/** Header parameters with lower-cased names; valueless ones are null, quoted values keep their quotes. */
export type GenericParams = Record<string, string | null>;

/**
 * Parses `*( SEMI generic-param )` from `start` to the end of `text` (RFC 3261
 * §25.1): generic-param = token [ EQUAL gen-value ], gen-value = token / host
 * / quoted-string, with optional whitespace around ';' and '='. One pass,
 * linear in the length. Returns undefined for anything else, trailing junk
 * included. A `tag` must be a token (§25.1 tag-param); `__proto__` is skipped.
 */
export function parseGenericParams(text: string, start: number): GenericParams | undefined {
  const params: GenericParams = {};
  const end = text.length;
  let i = skipLws(text, start);
  while (i < end) {
    if (text.charCodeAt(i) !== SEMI) return undefined;
    const nameStart = skipLws(text, i + 1);
    const nameEnd = tokenEnd(text, nameStart);
    if (nameEnd === nameStart) return undefined;
    const name = text.slice(nameStart, nameEnd).toLowerCase();
    i = skipLws(text, nameEnd);
    let value: string | null = null;
    if (i < end && text.charCodeAt(i) === EQUALS) {
      const valueStart = skipLws(text, i + 1);
      const valueEnd = genValueEnd(text, valueStart);
      if (valueEnd === -1 || (name === 'tag' && text.charCodeAt(valueStart) === QUOTE)) return undefined;
      value = text.slice(valueStart, valueEnd);
      i = skipLws(text, valueEnd);
    }
    if (name !== '__proto__') params[name] = value;
  }
  return params;
}

/** End of the gen-value at `start` (token, IPv6 reference or quoted-string), or -1 if there is none. */
function genValueEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === QUOTE) return quotedStringEnd(text, start);
  if (c === LBRACKET) {
    // host = IPv6reference: "[" hex digits, ':' and '.' "]" (RFC 3261 §25.1)
    let i = start + 1;
    while (i < text.length && isIpv6Char(text.charCodeAt(i))) i++;
    return i > start + 1 && text.charCodeAt(i) === RBRACKET ? i + 1 : -1;
  }
  const end = tokenEnd(text, start);
  return end === start ? -1 : end;
}

function isIpv6Char(c: number): boolean {
  return (c >= 48 && c <= 58) /* 0-9 : */ || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46; /* . */
}
