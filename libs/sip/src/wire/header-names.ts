import { tokenEnd } from './token-chars.js';

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

/**
 * Header names as the RFCs defining them spell them. Names are
 * case-insensitive on the wire (RFC 3261 §7.3.1), but SIPp scenarios, sngrep
 * filters and some phones match them case-sensitively, so every header we
 * write uses this spelling. The irregular ones (Call-ID, CSeq, SIP-ETag,
 * WWW-Authenticate, ...) are why this is a table and not a rule.
 */
export const HEADER_NAMES: readonly string[] = [
  // RFC 3261 §20
  'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Authentication-Info', 'Authorization',
  'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
  'Content-Type', 'CSeq', 'Date', 'Error-Info', 'Expires', 'From', 'In-Reply-To', 'Max-Forwards', 'MIME-Version',
  'Min-Expires', 'Organization', 'Priority', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require',
  'Record-Route', 'Reply-To', 'Require', 'Retry-After', 'Route', 'Server', 'Subject', 'Supported', 'Timestamp', 'To',
  'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
  // RFC 6665 (events), RFC 3903 (PUBLISH)
  'Event', 'Allow-Events', 'Subscription-State', 'SIP-ETag', 'SIP-If-Match',
  // RFC 3262, 3313, 3323, 3325, 3326, 3327, 3329, 3515, 3608, 3841, 3891, 3892, 3911, 4028, 4474, 4488, 4538,
  // 5373, 5393, 5626, 6086, 7044
  'RSeq', 'RAck', 'P-Media-Authorization', 'Privacy', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Reason', 'Path',
  'Security-Client', 'Security-Server', 'Security-Verify', 'Refer-To', 'Service-Route', 'Accept-Contact',
  'Reject-Contact', 'Request-Disposition', 'Replaces', 'Referred-By', 'Join', 'Session-Expires', 'Min-SE', 'Identity',
  'Identity-Info', 'Refer-Sub', 'Target-Dialog', 'Answer-Mode', 'Priv-Answer-Mode', 'Max-Breadth', 'Flow-Timer',
  'Info-Package', 'Recv-Info', 'History-Info',
];

/** Names not in the table that were looked up, kept so a name is spelled once; bounded. */
const MAX_LEARNED = 256;
let learned = 0;
/** How a given name is written, by the name as given: the table by lower-case name, then what was looked up. */
const SPELLINGS = new Map<string, string>(HEADER_NAMES.map((name) => [name.toLowerCase(), name]));
for (const name of HEADER_NAMES) SPELLINGS.set(name, name);

/**
 * The name to write for a header name given by an application, in any case
 * or compact form: its canonical spelling (`sip-etag` -> `SIP-ETag`, `m` ->
 * `Contact`). A name the table does not know keeps the spelling it was
 * given if that has capitals, else each dash-separated word is capitalised
 * (`x-foo` -> `X-Foo`). One Map lookup once a name has been seen: this runs
 * for every header of every message sent. Throws a TypeError for a name that
 * is not a token (CR or LF included: header injection).
 */
export function wireHeaderName(name: string): string {
  return SPELLINGS.get(name) ?? spell(name);
}

function spell(name: string): string {
  if (name.indexOf('\n') !== -1 || name.indexOf('\r') !== -1) {
    throw new TypeError(`header name ${JSON.stringify(name)} contains CR or LF`);
  }
  if (name.length === 0 || tokenEnd(name, 0) !== name.length) throw new TypeError(`header name ${JSON.stringify(name)} is not a token`);
  const key = canonicalHeaderName(name);
  const spelled = SPELLINGS.get(key) ?? (name === key || name.length === 1 ? capitalise(key) : name);
  if (learned < MAX_LEARNED) {
    learned++;
    SPELLINGS.set(name, spelled);
  }
  return spelled;
}

function capitalise(lower: string): string {
  return lower
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-');
}

/** Longest header name a reason phrase quotes; a longer one is called "header". */
const MAX_DISPLAY_NAME = 40;

/**
 * A canonical (lower-cased) name as a reason phrase writes it, spelled as
 * we write the header itself (`call-id` -> `Call-ID`, `x-foo-bar` ->
 * `X-Foo-Bar`); "header" for a name too long to put in a status line.
 * Unlike wireHeaderName it learns nothing: the name comes from a request.
 */
export function headerDisplayName(canonical: string): string {
  if (canonical.length > MAX_DISPLAY_NAME) return 'header';
  return SPELLINGS.get(canonical) ?? capitalise(canonical);
}
