/**
 * The few parts of a SIP message the load generator needs, read with plain
 * string scans (no grammar): enough to match responses to requests, answer
 * NOTIFYs and read the published timestamp back. Messages are handled as
 * latin1 strings, so one character is one byte and Content-Length holds.
 */
export interface SipMessage {
  /** 0 for requests. */
  readonly status: number;
  /** Request method, or '' for responses. */
  readonly method: string;
  /** A response's reason phrase, or '' for requests. */
  readonly reason: string;
  readonly callId: string;
  readonly cseq: number;
  readonly cseqMethod: string;
  /** Via header lines as received (values only), in order: copied into our answers. */
  readonly vias: string[];
  readonly from: string;
  readonly to: string;
  /** Other headers we look at, by lower-case long name. */
  readonly headers: ReadonlyMap<string, string>;
  /** WWW-Authenticate values in order (a 401 has one challenge per algorithm); shared and empty on other messages. */
  readonly wwwAuthenticate: readonly string[];
  readonly body: string;
  /** Bytes of the whole message as received (it is read as latin1: one character per byte). */
  readonly size: number;
}

/** RFC 3261 §7.3.3 compact forms of the headers we read. */
const COMPACT: Readonly<Record<string, string>> = { v: 'via', i: 'call-id', f: 'from', t: 'to', l: 'content-length', c: 'content-type', o: 'event' };

/** Headers kept in `headers`; the rest are skipped without allocating. */
const WANTED = new Set(['sip-etag', 'subscription-state', 'expires', 'content-length', 'event', 'content-type', 'retry-after']);

const NO_CHALLENGES: readonly string[] = Object.freeze([]);

/** Parses one complete message (head and body); undefined if it is not SIP. */
export function parseSipMessage(text: string): SipMessage | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const firstEnd = text.indexOf('\r\n');
  const first = text.slice(0, firstEnd);
  let status = 0;
  let method = '';
  let reason = '';
  if (first.startsWith('SIP/2.0 ')) {
    status = Number(first.slice(8, 11));
    if (!Number.isInteger(status)) return undefined;
    reason = first.slice(12).trim();
  } else {
    const space = first.indexOf(' ');
    if (space <= 0 || !first.endsWith(' SIP/2.0')) return undefined;
    method = first.slice(0, space);
  }
  let callId = '';
  let cseqValue = '';
  let from = '';
  let to = '';
  const vias: string[] = [];
  let wwwAuthenticate: string[] | undefined;
  const headers = new Map<string, string>();
  let start = firstEnd + 2;
  while (start < headEnd) {
    let end = text.indexOf('\r\n', start);
    if (end < 0 || end > headEnd) end = headEnd;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const raw = text.slice(start, colon).trim().toLowerCase();
      const name = COMPACT[raw] ?? raw;
      const value = text.slice(colon + 1, end).trim();
      switch (name) {
        case 'via':
          vias.push(value);
          break;
        case 'call-id':
          callId = value;
          break;
        case 'cseq':
          cseqValue = value;
          break;
        case 'from':
          from = value;
          break;
        case 'to':
          to = value;
          break;
        case 'www-authenticate':
          (wwwAuthenticate ??= []).push(value);
          break;
        default:
          if (WANTED.has(name)) headers.set(name, value);
      }
    }
    start = end + 2;
  }
  const space = cseqValue.indexOf(' ');
  const cseq = Number(space < 0 ? cseqValue : cseqValue.slice(0, space));
  const cseqMethod = space < 0 ? '' : cseqValue.slice(space + 1).trim();
  const declared = headers.get('content-length');
  const bodyStart = headEnd + 4;
  const body = declared === undefined ? text.slice(bodyStart) : text.slice(bodyStart, bodyStart + Number(declared));
  return { status, method, reason, callId, cseq: Number.isFinite(cseq) ? cseq : -1, cseqMethod, vias, from, to, headers, wwwAuthenticate: wwwAuthenticate ?? NO_CHALLENGES, body, size: text.length };
}

/** The branch parameter of the top Via: our transaction key. */
export function topBranch(message: SipMessage): string | undefined {
  const via = message.vias[0];
  if (via === undefined) return undefined;
  const at = via.indexOf('branch=');
  if (at < 0) return undefined;
  let end = at + 7;
  while (end < via.length) {
    const c = via.charCodeAt(end);
    // ; , space and tab end a parameter value
    if (c === 59 || c === 44 || c === 32 || c === 9) break;
    end++;
  }
  return via.slice(at + 7, end);
}

/** The tag parameter of a From/To value, if any. */
export function tagOf(nameAddr: string): string | undefined {
  const match = /;\s*tag=([^;>\s,]+)/i.exec(nameAddr.slice(Math.max(0, nameAddr.lastIndexOf('>'))));
  return match?.[1];
}
