import { parseParams } from './params.js';

export interface SipUri {
  /** Lower-cased: sip, sips, pres or im. */
  scheme: string;
  user?: string;
  /** Lower-cased; IPv6 references are returned without brackets. */
  host: string;
  port?: number;
  /** uri-parameters with lower-cased names; valueless ones are null. */
  params: Record<string, string | null>;
}

const SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'pres', 'im']);
const HOSTNAME = /^[a-z0-9]([a-z0-9_.-]*[a-z0-9_])?\.?$/i;
const IPV6 = /^[0-9a-f:.]+$/i;

/**
 * Parses a SIP or SIPS URI (RFC 3261 §19.1.1; also pres: and im: of RFC 3859/3860).
 * URI headers (`?...`) are ignored. Returns undefined for other schemes or malformed input.
 */
export function parseSipUri(uri: string): SipUri | undefined {
  const colon = uri.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = uri.slice(0, colon).toLowerCase();
  if (!SCHEMES.has(scheme)) return undefined;
  const question = uri.indexOf('?', colon);
  const rest = question === -1 ? uri.slice(colon + 1) : uri.slice(colon + 1, question);

  let user: string | undefined;
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const userInfo = rest.slice(0, at);
    const pw = userInfo.indexOf(':');
    user = pw === -1 ? userInfo : userInfo.slice(0, pw);
    if (user.length === 0) return undefined;
    hostPart = rest.slice(at + 1);
  }

  let host: string;
  let i: number;
  if (hostPart.charCodeAt(0) === 91 /* [ */) {
    const close = hostPart.indexOf(']');
    if (close === -1) return undefined;
    host = hostPart.slice(1, close);
    if (!IPV6.test(host)) return undefined;
    i = close + 1;
  } else {
    i = 0;
    while (i < hostPart.length) {
      const c = hostPart.charCodeAt(i);
      if (c === 58 /* : */ || c === 59 /* ; */) break;
      i++;
    }
    host = hostPart.slice(0, i);
    if (!HOSTNAME.test(host)) return undefined;
  }

  let port: number | undefined;
  if (hostPart.charCodeAt(i) === 58) {
    const semi = hostPart.indexOf(';', i);
    const digits = hostPart.slice(i + 1, semi === -1 ? hostPart.length : semi);
    port = parsePort(digits);
    if (port === undefined) return undefined;
    i = semi === -1 ? hostPart.length : semi;
  }
  if (i < hostPart.length && hostPart.charCodeAt(i) !== 59) return undefined;

  const result: SipUri = { scheme, host: host.toLowerCase(), params: parseParams(hostPart, i) };
  if (user !== undefined) result.user = user;
  if (port !== undefined) result.port = port;
  return result;
}

/** A decimal port 0..65535, or undefined. */
export function parsePort(digits: string): number | undefined {
  if (digits.length === 0 || digits.length > 5) return undefined;
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : undefined;
}

/** Brackets an IPv6 literal for use in a URI or Via sent-by. */
export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** True for a SIPS URI (RFC 3261 §19.1): reached over TLS only. Cheap: no parse. */
export function isSipsUri(uri: string | undefined): boolean {
  return uri !== undefined && uri.length > 5 && uri.slice(0, 5).toLowerCase() === 'sips:';
}
