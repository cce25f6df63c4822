/**
 * Building and reading SIP messages inside a k6 script. k6 runs scripts in
 * its own JavaScript runtime, which cannot import the server's libraries (or
 * any Node module), so this file is self-contained: plain strings, no I/O.
 */

export interface SipMessage {
  /** `SIP/2.0 200 OK` → 200; 0 for a request. */
  readonly status: number;
  readonly reason: string;
  /** The method of a request; '' for a response. */
  readonly method: string;
  readonly uri: string;
  /** Header values by lower-case full name (compact forms expanded), in arrival order. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
}

export interface RequestParts {
  readonly method: string;
  readonly uri: string;
  /** Our Via without branch, e.g. `SIP/2.0/WS abc.invalid`. */
  readonly via: string;
  readonly branch: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact?: string;
  /** Complete header lines without CRLF, e.g. `Event: presence`. */
  readonly headers?: readonly string[];
  readonly contentType?: string;
  readonly body?: string;
}

/** RFC 3261 §7.3.3 compact header names. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', u: 'allow-events',
};

/** RFC 3261 §8.1.1: the mandatory headers first, in the order most stacks write them. */
export function buildRequest(parts: RequestParts): string {
  let text =
    `${parts.method} ${parts.uri} SIP/2.0\r\n` +
    `Via: ${parts.via};branch=${parts.branch};rport\r\n` +
    'Max-Forwards: 70\r\n' +
    `From: ${parts.from}\r\n` +
    `To: ${parts.to}\r\n` +
    `Call-ID: ${parts.callId}\r\n` +
    `CSeq: ${parts.cseq} ${parts.method}\r\n`;
  if (parts.contact !== undefined) text += `Contact: ${parts.contact}\r\n`;
  for (const line of parts.headers ?? []) text += `${line}\r\n`;
  const body = parts.body ?? '';
  if (body.length > 0 && parts.contentType !== undefined) text += `Content-Type: ${parts.contentType}\r\n`;
  return `${text}Content-Length: ${utf8Length(body)}\r\n\r\n${body}`;
}

/** RFC 3261 §8.2.6.2: a response copies Via, From, To, Call-ID and CSeq of its request. */
export function buildResponse(request: SipMessage, status: number, reason: string): string {
  let text = `SIP/2.0 ${status} ${reason}\r\n`;
  for (const via of request.headers['via'] ?? []) text += `Via: ${via}\r\n`;
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) text += `${name}: ${header(request, name) ?? ''}\r\n`;
  return `${text}Content-Length: 0\r\n\r\n`;
}

/** One SIP message per WebSocket message (RFC 7118 §5); undefined if it is not one. */
export function parseSipMessage(text: string): SipMessage | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = text.slice(0, headEnd).split('\r\n');
  const start = lines[0] ?? '';
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (const line of lines.slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined && last.length > 0) {
      last[last.length - 1] += ` ${line.trim()}`; // RFC 3261 §7.3.1 line folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const values = splitHeaderValues(name, line.slice(colon + 1).trim());
    last = headers[name] ?? (headers[name] = []);
    last.push(...values);
  }
  const body = text.slice(headEnd + 4);
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (response) return { status: Number(response[1]), reason: response[2] ?? '', method: '', uri: '', headers, body };
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) return { status: 0, reason: '', method: (request[1] ?? '').toUpperCase(), uri: request[2] ?? '', headers, body };
  return undefined;
}

/** The first value of a header (any spelling of its name), or undefined. */
export function header(message: SipMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return message.headers[COMPACT[lower] ?? lower]?.[0];
}

/** The `branch` parameter of the top Via: how a response finds its transaction. */
export function topViaBranch(message: SipMessage): string | undefined {
  return paramOf(header(message, 'via') ?? '', 'branch');
}

/** The `tag` parameter of a From or To value. */
export function tagOf(value: string | undefined): string | undefined {
  return paramOf(value ?? '', 'tag');
}

/** CSeq number of a message (`CSeq: 7 NOTIFY` → 7). */
export function cseqOf(message: SipMessage): number {
  return Number.parseInt(header(message, 'cseq') ?? '', 10);
}

/** A `;name=value` parameter of a header value, outside its <URI>. */
export function paramOf(value: string, name: string): string | undefined {
  const close = value.lastIndexOf('>');
  const params = value.slice(close + 1).split(';').slice(1);
  for (const param of params) {
    const eq = param.indexOf('=');
    const key = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (key === name) return eq < 0 ? '' : param.slice(eq + 1).trim();
  }
  return undefined;
}

/** Content-Length counts bytes: bodies are UTF-8 and k6 offers no TextEncoder everywhere. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Random token for tags, branches and Call-IDs (not security-relevant). */
export function randomToken(length = 12): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let token = '';
  for (let i = 0; i < length; i++) token += alphabet[Math.floor(Math.random() * alphabet.length)];
  return token;
}

/** Via and Contact may carry several comma-separated values on one line; other headers are kept whole. */
function splitHeaderValues(name: string, value: string): string[] {
  if (name !== 'via' && name !== 'contact') return [value];
  const values: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      values.push(value.slice(from, i).trim());
      from = i + 1;
    }
  }
  values.push(value.slice(from).trim());
  return values;
}
