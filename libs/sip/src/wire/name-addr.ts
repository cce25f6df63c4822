import { parseAOR } from 'sip';
import { SipParseError } from './sip-parse-error.js';
import { tokenEnd } from './token-chars.js';

export interface NameAddr {
  readonly displayName?: string;
  readonly uri: string;
  /** Header parameters (tag, expires, q, ...) with lower-cased names; valueless ones are null. */
  readonly params: Readonly<Record<string, string | null>>;
}

const URI_START = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]/;
const LT = 60;
const SEMI = 59;
const EQUALS = 61;

/**
 * Parses a name-addr or addr-spec with header parameters (RFC 3261 §20.10,
 * §20.20, §20.39), e.g. `"Alice" <sip:alice@example.com>;tag=1`. Tolerant of
 * extra whitespace and trailing junk; throws SipParseError when there is no
 * absolute URI. The grammar itself is the `sip` package's.
 */
export function parseNameAddr(value: string): NameAddr {
  const plain = parsePlainNameAddr(value);
  if (plain !== undefined) {
    if (!URI_START.test(plain.uri)) throw new SipParseError(`not a name-addr: ${truncate(value)}`);
    return plain;
  }
  let aor;
  try {
    aor = parseAOR({ s: value, i: 0 });
  } catch {
    throw new SipParseError(`not a name-addr: ${truncate(value)}`);
  }
  const uri = aor.uri.trim();
  if (!URI_START.test(uri)) throw new SipParseError(`not a name-addr: ${truncate(value)}`);
  const name = aor.name === undefined ? undefined : unquote(aor.name.trim());
  return name === undefined || name.length === 0
    ? { uri, params: aor.params }
    : { displayName: name, uri, params: aor.params };
}

/**
 * `<uri>` followed only by `;name` or `;name=value` parameters of token
 * characters, which is how this stack and most UAs write From, To and
 * Contact: parsed without the grammar's regular expressions (a From and a To
 * in every message received), to the same result. Undefined for anything
 * else (display name, whitespace, quoted value), which goes to the grammar.
 */
function parsePlainNameAddr(value: string): NameAddr | undefined {
  if (value.charCodeAt(0) !== LT) return undefined;
  const gt = value.indexOf('>', 1);
  if (gt === -1) return undefined;
  const params: Record<string, string | null> = {};
  for (let i = gt + 1; i < value.length; ) {
    if (value.charCodeAt(i) !== SEMI) return undefined;
    const nameEnd = tokenEnd(value, i + 1);
    if (nameEnd === i + 1) return undefined;
    const name = value.slice(i + 1, nameEnd).toLowerCase();
    if (value.charCodeAt(nameEnd) !== EQUALS) {
      params[name] = null;
      i = nameEnd;
      continue;
    }
    const valueEnd = tokenEnd(value, nameEnd + 1);
    if (valueEnd === nameEnd + 1) return undefined;
    params[name] = value.slice(nameEnd + 1, valueEnd);
    i = valueEnd;
  }
  return { uri: value.slice(1, gt).trim(), params };
}

function unquote(text: string): string {
  if (text.length < 2 || text.charCodeAt(0) !== 34) return text;
  let out = '';
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length - 1) {
      i++;
      out += text[i];
    } else out += c;
  }
  return out;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
