import { UnsupportedUriSchemeError } from '@presence/core';

/**
 * The Request-URI schemes this server serves: sip and sips only. A pres: or
 * im: URI (RFC 3859, RFC 3860) names a presentity abstractly and is resolved
 * to a SIP URI before a SIP request is sent (RFC 3856, RFC 3861); one that reaches
 * us unresolved is refused like tel:, http: or any other scheme.
 */
export const SERVED_URI_SCHEMES: readonly string[] = ['sip', 'sips'];

/**
 * RFC 3261 §8.2.2.1: a Request-URI whose scheme we do not serve gets 416
 * Unsupported URI Scheme, whatever the method (OPTIONS included). The stack
 * has already checked that the URI is well formed (scheme ":" ...).
 */
export function checkRequestUriScheme(uri: string): void {
  const colon = uri.indexOf(':');
  const scheme = uri.slice(0, colon).toLowerCase();
  if (!SERVED_URI_SCHEMES.includes(scheme)) {
    throw new UnsupportedUriSchemeError(`Unsupported URI Scheme: ${scheme.slice(0, 32)}`);
  }
}
