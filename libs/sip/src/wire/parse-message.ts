import { isUtf8 } from 'node:buffer';
import { canonicalHeaderName, headerDisplayName, type HeaderMap } from './header-names.js';
import { strayControlAt } from './stray-control.js';

/** A framed and tokenized SIP message; semantic validation happens in message/. */
export interface ParsedMessage {
  /** Request method (case-sensitive, RFC 3261 §7.1); undefined for responses. */
  readonly method: string | undefined;
  readonly uri: string;
  /** 0 for requests. */
  readonly status: number;
  readonly reason: string;
  readonly headers: HeaderMap;
  /**
   * The body's bytes, as received (a view into the read buffer, not a
   * copy): decoded only by those that want text (MessageView.body).
   */
  bodyBytes: Buffer;
  /**
   * Set when the head parsed but the message is broken below the level of
   * header grammar: framing (body shorter than Content-Length) or a control
   * character in a header. A request gets 400 with this reason phrase, a
   * response is dropped.
   */
  framingError?: string;
  /**
   * A request whose SIP-Version is well formed but not 2.0 (e.g. SIP/7.0):
   * the version as written. It gets 505 (RFC 3261 §21.5.6) when it has a Via
   * to answer to.
   */
  unsupportedVersion?: string;
  /**
   * False when the body bytes are not valid UTF-8: decoded as text they
   * hold U+FFFD in place of the bad bytes, so an XML body is refused
   * (message/body-problem.ts).
   */
  bodyIsUtf8?: boolean;
}

export type ParsedHead = Omit<ParsedMessage, 'bodyBytes'>;

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const TOKEN_CHARS = /^[A-Za-z0-9.!%*_+`'~-]+$/;
// RFC 3261 §25.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT ("SIP" case-insensitive)
const SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;
export const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Number of bytes of CRLF pairs at `start` (keep-alives and RFC 3261 §7.5 leading CRLFs). */
export function leadingCrlfBytes(buf: Buffer, start: number): number {
  let i = start;
  while (i + 1 < buf.length && buf[i] === CR && buf[i + 1] === LF) i += 2;
  return i - start;
}

/**
 * Parses the start line and headers (the text before the blank line, CRLF
 * separated, RFC 3261 §7). Folded lines (leading SP/HT) are joined with one
 * space. Returns undefined when the start line or a header line is malformed.
 */
export function parseHead(text: string): ParsedHead | undefined {
  let lineEnd = text.indexOf('\r\n');
  const startLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  const head = parseStartLine(startLine);
  if (head === undefined) return undefined;
  const stray = strayControlAt(text);
  if (stray !== -1) head.framingError = `Malformed ${partAt(text, stray, head.method === undefined)}`;
  const headers = head.headers;
  let lastValues: string[] | undefined;
  // Lines are read by index into `text` rather than sliced out whole: every
  // message received goes through here, and each slice is garbage.
  while (lineEnd !== -1) {
    const start = lineEnd + 2;
    lineEnd = text.indexOf('\r\n', start);
    const end = lineEnd === -1 ? text.length : lineEnd;
    if (end === start) continue;
    const first = text.charCodeAt(start);
    if (first === SPACE || first === TAB) {
      // RFC 3261 §7.3.1: header field folding
      if (lastValues === undefined) return undefined;
      const idx = lastValues.length - 1;
      lastValues[idx] = `${lastValues[idx] as string} ${text.slice(start, end).trim()}`.trim();
      continue;
    }
    const colon = text.indexOf(':', start);
    if (colon <= start || colon >= end) return undefined;
    const name = headerName(text.slice(start, colon));
    if (name === undefined) return undefined;
    const value = trimmedSlice(text, colon + 1, end);
    const existing = headers.get(name);
    if (existing === undefined) {
      lastValues = [value];
      headers.set(name, lastValues);
    } else {
      existing.push(value);
      lastValues = existing;
    }
  }
  return head;
}

/** The name of the header (or start-line part) that holds text[index], as written in a reason phrase. */
function partAt(text: string, index: number, response: boolean): string {
  let lineStart = text.lastIndexOf('\r\n', index - 1) + 2;
  // A folded line (RFC 3261 §7.3.1) belongs to the header above it.
  while (lineStart > 1 && (text.charCodeAt(lineStart) === SPACE || text.charCodeAt(lineStart) === TAB)) {
    lineStart = text.lastIndexOf('\r\n', lineStart - 3) + 2;
  }
  if (lineStart === 1) return response ? 'Status-Line' : 'Request-URI';
  const colon = text.indexOf(':', lineStart);
  return headerDisplayName(canonicalHeaderName(text.slice(lineStart, colon).trim()));
}

// Header names as written -> canonical names, for names that passed the
// token check: a few spellings cover nearly all traffic, and a hit saves
// trimming, validating and lower-casing. Bounded, as names come from the network.
const NAME_CACHE = new Map<string, string>();
const NAME_CACHE_ENTRIES = 256;
const NAME_CACHE_KEY_CHARS = 32;

function headerName(written: string): string | undefined {
  let name = NAME_CACHE.get(written);
  if (name !== undefined) return name;
  const trimmed = written.trimEnd();
  if (!TOKEN_CHARS.test(trimmed)) return undefined;
  name = canonicalHeaderName(trimmed);
  if (NAME_CACHE.size < NAME_CACHE_ENTRIES && written.length <= NAME_CACHE_KEY_CHARS) NAME_CACHE.set(written, name);
  return name;
}

/** text.slice(start, end).trim() without the intermediate string for the usual single space after the colon. */
function trimmedSlice(text: string, start: number, end: number): string {
  let from = start;
  while (from < end && (text.charCodeAt(from) === SPACE || text.charCodeAt(from) === TAB)) from++;
  return text.slice(from, end).trim();
}

function parseStartLine(line: string): ParsedHead | undefined {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) return undefined;
  if (line.startsWith('SIP/2.0 ')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
    const code = line.slice(sp1 + 1, sp1 + 4);
    const status = Number(code);
    if (code.length !== 3 || !Number.isInteger(status) || status < 100 || status > 699) return undefined;
    const reason = line.slice(sp1 + 4).trim();
    return { method: undefined, uri: '', status, reason, headers: new Map() };
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (§7.1)
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 === -1) return undefined;
  const version = line.slice(sp2 + 1);
  const supported = version.toUpperCase() === 'SIP/2.0';
  if (!supported && !SIP_VERSION.test(version)) return misspacedRequestLine(line, sp1);
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  if (uri.length === 0) return misspacedRequestLine(line, sp1);
  if (!TOKEN_CHARS.test(method) || uri.indexOf(':') <= 0) return undefined;
  const head: ParsedHead = { method, uri, status: 0, reason: '', headers: new Map() };
  if (!supported) head.unsupportedVersion = version;
  return head;
}

/**
 * A Request-Line that is one but for its spaces: more than one SP between
 * the parts, SP inside the Request-URI or after the SIP-Version (RFC 4475
 * §3.1.2.8-10). It still names a method and has headers to answer through,
 * so it gets 400 rather than silence.
 */
function misspacedRequestLine(line: string, sp1: number): ParsedHead | undefined {
  const method = line.slice(0, sp1);
  const rest = line.slice(sp1 + 1).trim();
  const lastSp = rest.lastIndexOf(' ');
  if (!TOKEN_CHARS.test(method) || lastSp === -1 || !SIP_VERSION.test(rest.slice(lastSp + 1))) return undefined;
  const uri = rest.slice(0, lastSp).trim();
  if (uri.indexOf(':') <= 0) return undefined;
  return { method, uri, status: 0, reason: '', headers: new Map(), framingError: 'Malformed Request-Line' };
}

/**
 * parseHead of buf[start, end) decoded as UTF-8. Header values are UTF-8
 * text (RFC 3261 §25.1: TEXT-UTF8char, UTF8-NONASCII): octets that are not
 * would reach the application as U+FFFD, so the message is malformed,
 * reported like a control character: a request gets 400 naming the header.
 */
export function parseHeadBytes(buf: Buffer, start: number, end: number): ParsedHead | undefined {
  const text = buf.toString('utf8', start, end);
  const head = parseHead(text);
  if (head !== undefined && head.framingError === undefined && !isUtf8(buf.subarray(start, end))) {
    head.framingError = `Invalid UTF-8 in ${partAt(text, text.indexOf('\ufffd'), head.method === undefined)}`;
  }
  return head;
}

/** Content-Length as a byte count; undefined if absent, NaN if malformed (§20.14). */
export function contentLength(headers: HeaderMap): number | undefined {
  const values = headers.get('content-length');
  if (values === undefined) return undefined;
  const value = values[0] as string;
  if (values.length > 1 || value.length === 0 || value.length > 9) return Number.NaN;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
  }
  return Number(value);
}

/**
 * Parses one SIP message carried whole in a datagram or WebSocket message.
 * Returns the message, or a string naming why it was dropped ('' for a
 * keep-alive). RFC 3261 §18.3: bytes beyond Content-Length are discarded; a
 * body shorter than Content-Length is a framing error (400 for requests).
 */
export function parseWholeMessage(buf: Buffer): ParsedMessage | string {
  const start = leadingCrlfBytes(buf, 0);
  if (start === buf.length) return '';
  const headEnd = buf.indexOf(HEAD_END, start);
  if (headEnd === -1) return 'no end of header section';
  const head = parseHeadBytes(buf, start, headEnd);
  if (head === undefined) return 'unparsable message head';
  const message = head as ParsedMessage;
  const bodyStart = headEnd + 4;
  const length = contentLength(head.headers);
  let bodyEnd = buf.length;
  if (length !== undefined) {
    if (Number.isNaN(length)) message.framingError ??= 'Invalid Content-Length';
    else if (bodyStart + length > buf.length) message.framingError ??= 'Body shorter than Content-Length';
    else bodyEnd = bodyStart + length;
  }
  setBody(message, buf, bodyStart, bodyEnd);
  return message;
}

export const EMPTY_BODY: Buffer = Buffer.alloc(0);

/** Takes buf[start, end) as the message body, noting whether it is valid UTF-8. */
export function setBody(message: ParsedMessage, buf: Buffer, start: number, end: number): void {
  if (end <= start) {
    message.bodyBytes = EMPTY_BODY;
    return;
  }
  message.bodyBytes = buf.subarray(start, end);
  if (!isUtf8(message.bodyBytes)) message.bodyIsUtf8 = false;
}
