import { BadRequestError } from '../errors/catalogue.js';

/** A `sip:`/`sips:` URI split into the parts the domain compares (RFC 3261 §19.1.1). */
export interface ParsedSipUri {
  /** Lower-cased scheme. */
  readonly scheme: 'sip' | 'sips';
  /** User part with %-escapes of unreserved characters decoded; absent when the URI has no userinfo. */
  readonly user?: string;
  /** Host, lower-cased (RFC 3261 §19.1.4: hosts compare case-insensitively). */
  readonly host: string;
  readonly port?: number;
  /** URI parameters, names lower-cased, values as written ('' for a flag parameter). */
  readonly params: ReadonlyMap<string, string>;
}

const MAX_PREVIEW = 80;

/** The failure every malformed URI raises: 400 naming the (truncated) input. */
export function invalidUri(input: string): BadRequestError {
  const preview = input.length > MAX_PREVIEW ? `${input.slice(0, MAX_PREVIEW)}...` : input;
  return new BadRequestError(`Invalid URI: ${preview}`);
}

// RFC 3261 §25.1: unreserved = alphanum / mark; user-unreserved = & = + $ , ; ? /
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;
const USER_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PASSWORD_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
// The first class has no ':' so the first colon is found in one way: with ':' in both, a
// '[' followed by thousands of colons took quadratic time to refuse (recheck found it).
const IPV6_REFERENCE = /^\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\]$/;
const PORT = /^[0-9]{1,5}$/;
// Anything that cannot appear unescaped in a SIP URI (whitespace, controls, delimiters of name-addr).
const FORBIDDEN = /[\s\u0000-\u001f\u007f<>"]/;
const PARAM_NAME = /^[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+$/;

/**
 * Strips the name-addr wrapper of a header value (RFC 3261 §20.10, §25.1):
 * `"Display" <uri>;hparams`, `Display <uri>`, `<uri>` or a bare addr-spec.
 * Header parameters after `>` are dropped; undefined when the wrapper is malformed.
 */
function extractAddrSpec(input: string): string | undefined {
  const s = input.trim();
  if (s === '') return undefined;
  let rest: string;
  if (s.startsWith('"')) {
    let i = 1;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    if (i >= s.length) return undefined;
    rest = s.slice(i + 1).trimStart();
    if (!rest.startsWith('<')) return undefined;
  } else {
    const lt = s.indexOf('<');
    if (lt === -1) return s;
    if (/[">]/.test(s.slice(0, lt))) return undefined;
    rest = s.slice(lt);
  }
  const gt = rest.indexOf('>');
  if (gt === -1) return undefined;
  const after = rest.slice(gt + 1).trim();
  if (after !== '' && !after.startsWith(';')) return undefined;
  return rest.slice(1, gt);
}

/**
 * RFC 3261 §19.1.4: escaped characters compare as their decoded form. Escapes
 * of unreserved characters are decoded; the others are kept escaped with
 * upper-case hex digits so equal users give equal strings (RFC 3986 §6.2.2).
 */
function normalizeEscapes(user: string): string {
  if (!user.includes('%')) return user;
  return user.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const decoded = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
  });
}

/**
 * Parses a SIP or SIPS URI, alone or inside a name-addr (RFC 3261 §19.1.1,
 * §25.1). Throws BadRequestError("Invalid URI: ...") for any other scheme or
 * malformed input.
 */
export function parseSipUri(input: string): ParsedSipUri {
  const parsed = tryParseSipUri(input);
  if (parsed === undefined) throw invalidUri(input);
  return parsed;
}

/**
 * The same grammar as parseSipUri, for callers to whom a bad URI is not a bad
 * request (the SIP stack resolving where to send): undefined instead of a throw.
 */
export function tryParseSipUri(input: string): ParsedSipUri | undefined {
  const uri = extractAddrSpec(input);
  if (uri === undefined || uri === '' || FORBIDDEN.test(uri)) return undefined;

  const colon = uri.indexOf(':');
  const scheme = uri.slice(0, colon).toLowerCase();
  if (colon === -1 || (scheme !== 'sip' && scheme !== 'sips')) return undefined;
  let rest = uri.slice(colon + 1);

  // Userinfo ends at the first '@' (RFC 3261 §25.1: '@' is never unescaped elsewhere, so a
  // second one leaves an invalid host below).
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pw = userinfo.indexOf(':');
    const rawUser = pw === -1 ? userinfo : userinfo.slice(0, pw);
    const password = pw === -1 ? '' : userinfo.slice(pw + 1);
    if (!USER_CHARS.test(rawUser) || !PASSWORD_CHARS.test(password)) return undefined;
    user = normalizeEscapes(rawUser);
  }

  const end = rest.search(/[;?]/);
  const hostport = end === -1 ? rest : rest.slice(0, end);
  const paramText = end === -1 ? '' : rest.slice(end);

  let host: string;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close === -1) return undefined;
    host = hostport.slice(0, close + 1);
    const tail = hostport.slice(close + 1);
    if (tail !== '') {
      if (!tail.startsWith(':')) return undefined;
      portText = tail.slice(1);
    }
    if (!IPV6_REFERENCE.test(host)) return undefined;
  } else {
    const pc = hostport.indexOf(':');
    host = pc === -1 ? hostport : hostport.slice(0, pc);
    if (pc !== -1) portText = hostport.slice(pc + 1);
    if (!HOSTNAME.test(host)) return undefined;
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!PORT.test(portText)) return undefined;
    port = Number(portText);
    if (port > 65535) return undefined;
  }

  const params = new Map<string, string>();
  const q = paramText.indexOf('?');
  const paramPart = q === -1 ? paramText : paramText.slice(0, q);
  for (const segment of paramPart === '' ? [] : paramPart.split(';').slice(1)) {
    const eq = segment.indexOf('=');
    const name = (eq === -1 ? segment : segment.slice(0, eq)).toLowerCase();
    if (!PARAM_NAME.test(name)) return undefined;
    if (!params.has(name)) params.set(name, eq === -1 ? '' : segment.slice(eq + 1));
  }

  // Optional members are set on a plain literal, not spread in: on Node 20's V8
  // `{ ...parsed, ...(user ? { user } : {}) }` costs about 1 µs, and every
  // request parses several URIs.
  const parsed: { -readonly [K in keyof ParsedSipUri]: ParsedSipUri[K] } = { scheme, host: host.toLowerCase(), params };
  if (user !== undefined) parsed.user = user;
  if (port !== undefined) parsed.port = port;
  return parsed;
}

/** The host as a socket address wants it: an IPv6 reference loses its brackets. */
export function socketHost(uri: ParsedSipUri): string {
  return uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
}
