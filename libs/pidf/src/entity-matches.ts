interface UserAtHost {
  readonly user: string;
  readonly host: string;
}

const ENTITY_SCHEMES = new Set(['pres', 'sip', 'sips']);
const HOSTNAME = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
const IPV6_REFERENCE = /^\[[0-9a-f:.]+\]$/;
const PORT = /^[0-9]{1,5}$/;
const USER_FORBIDDEN = /[\s<>"@\u0000-\u001f\u007f]/;

/**
 * Whether a PIDF 'entity' names the presentity `aor` (a normalized
 * sip:user@host). RFC 3863 §4.1.1 makes the entity a pres: URI, while many
 * UAs put their sip:/sips: AoR there, so all three are accepted and compared
 * by user and host only. Following RFC 3261 §19.1.4, the user part is
 * compared case-sensitively after unescaping, the host case-insensitively;
 * parameters, headers, password and port do not identify the presentity.
 */
export function entityMatches(entity: string, aor: string): boolean {
  const a = parseUserAtHost(entity);
  const b = parseUserAtHost(aor);
  return a !== undefined && b !== undefined && a.user === b.user && a.host === b.host;
}

function parseUserAtHost(uri: string): UserAtHost | undefined {
  const trimmed = uri.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0) return undefined;
  if (!ENTITY_SCHEMES.has(trimmed.slice(0, colon).toLowerCase())) return undefined;
  const rest = trimmed.slice(colon + 1);

  // A valid SIP or pres URI carries at most one unescaped '@'.
  const at = rest.indexOf('@');
  if (at !== rest.lastIndexOf('@')) return undefined;
  let user = '';
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const password = userinfo.indexOf(':');
    const rawUser = password >= 0 ? userinfo.slice(0, password) : userinfo;
    if (rawUser === '' || USER_FORBIDDEN.test(rawUser)) return undefined;
    try {
      user = decodeURIComponent(rawUser);
    } catch {
      return undefined;
    }
  }

  const hostport = rest.slice(at + 1).split(/[;?]/, 1)[0] ?? '';
  const host = parseHost(hostport.toLowerCase());
  return host === undefined ? undefined : { user, host };
}

function parseHost(hostport: string): string | undefined {
  let host: string;
  let port: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) return undefined;
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return undefined;
      port = after.slice(1);
    }
    if (!IPV6_REFERENCE.test(host)) return undefined;
  } else {
    const colon = hostport.indexOf(':');
    host = colon >= 0 ? hostport.slice(0, colon) : hostport;
    if (colon >= 0) port = hostport.slice(colon + 1);
    if (!HOSTNAME.test(host)) return undefined;
  }
  if (port !== undefined && !PORT.test(port)) return undefined;
  return host;
}
