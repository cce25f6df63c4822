import { invalidUri, parseSipUri } from './parse-sip-uri.js';

/**
 * The address-of-record a URI stands for: `sip:user@host` (RFC 3261 §10.3
 * step 5: the registrar/presence server keys state by the canonical To/Request
 * URI). Scheme becomes `sip`, the host is lower-cased, the user stays
 * case-sensitive with %-escapes of unreserved characters decoded (§19.1.4);
 * password, port, parameters and headers are dropped. A URI with no user gives
 * `sip:host`. Accepts the URI alone, in `<>`, or with a display name.
 *
 * @throws BadRequestError "Invalid URI: ..." for anything but a valid sip/sips URI.
 */
export function normalizeAor(uri: string): string {
  const parsed = parseSipUri(uri);
  return parsed.user === undefined ? `sip:${parsed.host}` : `sip:${parsed.user}@${parsed.host}`;
}

/**
 * The domain (host part, lower-cased) of an AOR, as used to decide whether we
 * are responsible for it (RFC 3261 §10.3 step 1).
 *
 * @throws BadRequestError "Invalid URI: ..." when `aor` is not a SIP URI.
 */
export function aorDomain(aor: string): string {
  return parseSipUri(aor).host;
}

const DEFAULT_PORT = { sip: 5060, sips: 5061 } as const;

/**
 * Comparison key of a Contact URI, RFC 3261 §19.1.4 simplified: scheme, user
 * (case-sensitive, escapes normalized), host (lower-cased), port with the
 * scheme's default made explicit (5060 sip, 5061 sips) and the `transport`
 * parameter lower-cased; all other parameters are ignored.
 *
 * Deliberate simplifications of §19.1.4: an explicit default port equals an
 * absent one (UAs are inconsistent about writing it), and a transport present
 * on one side only makes the URIs differ.
 *
 * @throws BadRequestError "Invalid URI: ..." when `uri` is not a SIP URI.
 */
export function contactKey(uri: string): string {
  const parsed = parseSipUri(uri);
  const port = parsed.port ?? DEFAULT_PORT[parsed.scheme];
  const transport = parsed.params.get('transport');
  if (transport === '') throw invalidUri(uri);
  const userPart = parsed.user === undefined ? '' : `${parsed.user}@`;
  const transportPart = transport === undefined ? '' : `;transport=${transport.toLowerCase()}`;
  return `${parsed.scheme}:${userPart}${parsed.host}:${port}${transportPart}`;
}
