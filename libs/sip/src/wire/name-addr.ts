import { parseAOR } from 'sip';
import { SipParseError } from './sip-parse-error.js';

export interface NameAddr {
  readonly displayName?: string;
  readonly uri: string;
  /** Header parameters (tag, expires, q, ...) with lower-cased names; valueless ones are null. */
  readonly params: Readonly<Record<string, string | null>>;
}

const URI_START = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]/;

/**
 * Parses a name-addr or addr-spec with header parameters (RFC 3261 §20.10,
 * §20.20, §20.39), e.g. `"Alice" <sip:alice@example.com>;tag=1`. Tolerant of
 * extra whitespace and trailing junk; throws SipParseError when there is no
 * absolute URI. The grammar itself is the `sip` package's.
 */
export function parseNameAddr(value: string): NameAddr {
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
