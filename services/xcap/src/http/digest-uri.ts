/**
 * RFC 7616 §3.4.6: the server must make sure the Authorization `uri`
 * designates the same resource as the request-target, else 400. A proxy
 * may have rewritten the request line into an equivalent form, so the two
 * are compared as resources, not bytes: absolute-form and origin-form
 * (RFC 9112 §3.2) name the same resource when the authority matches the
 * Host, and percent-encodings are normalized (RFC 3986 §6.2.2.1-2: hex
 * digits upper-cased, unreserved characters decoded). Anything else
 * (another path, query or host) is a real mismatch.
 */
export function designatesSameResource(digestUri: string, requestTarget: string, host: string | undefined): boolean {
  const base = `http://${host ?? 'host.invalid'}`;
  const left = resourceOf(digestUri, base);
  const right = resourceOf(requestTarget, base);
  return left !== undefined && left === right;
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `<authority><path>?<query>` with percent-encodings normalized; undefined when not an origin- or absolute-form target. */
function resourceOf(target: string, base: string): string | undefined {
  if (!target.startsWith('/') && !ABSOLUTE.test(target)) return undefined;
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return undefined;
  }
  return `${url.host}${normalizePercent(url.pathname)}${normalizePercent(url.search)}`;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normalizePercent(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}
