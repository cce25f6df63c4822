// RFC 3261 §7.3.3 compact forms, plus the ones registered later
// (o = Event and u = Allow-Events, RFC 6665 §8.2.1; r/b = RFC 3515/3892;
// x = RFC 4028; a/j/d = RFC 3841; y/n = RFC 4474).
const COMPACT_FORMS: ReadonlyMap<string, string> = new Map([
  ['i', 'call-id'],
  ['m', 'contact'],
  ['e', 'content-encoding'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['f', 'from'],
  ['s', 'subject'],
  ['k', 'supported'],
  ['t', 'to'],
  ['v', 'via'],
  ['o', 'event'],
  ['u', 'allow-events'],
  ['r', 'refer-to'],
  ['b', 'referred-by'],
  ['x', 'session-expires'],
  ['a', 'accept-contact'],
  ['j', 'reject-contact'],
  ['d', 'request-disposition'],
  ['y', 'identity'],
  ['n', 'identity-info'],
]);

/** Lower-cased long form of a header name; header names are case-insensitive (RFC 3261 §7.3.1). */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT_FORMS.get(lower) ?? lower;
  return lower;
}

/** Raw header values by canonical name, one entry per occurrence (values unfolded and trimmed). */
export type HeaderMap = Map<string, string[]>;

// Names whose usual spelling is not each word capitalized.
const DISPLAY_NAMES: ReadonlyMap<string, string> = new Map([
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
  ['www-authenticate', 'WWW-Authenticate'],
  ['mime-version', 'MIME-Version'],
  ['sip-etag', 'SIP-ETag'],
  ['sip-if-match', 'SIP-If-Match'],
]);
const MAX_DISPLAY_NAME = 40;

/**
 * A canonical (lower-cased) name as a reason phrase writes it, e.g. `call-id`
 * -> `Call-ID`, `x-foo-bar` -> `X-Foo-Bar`; "header" for a name too long to
 * put in a status line.
 */
export function headerDisplayName(canonical: string): string {
  const known = DISPLAY_NAMES.get(canonical);
  if (known !== undefined) return known;
  if (canonical.length > MAX_DISPLAY_NAME) return 'header';
  return canonical.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}
