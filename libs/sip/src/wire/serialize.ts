import { wireHeaderName, type HeaderMap } from './header-names.js';

/** Header fields given by the application: any case or compact form, one or many values. */
export type HeaderFields = Readonly<Record<string, string | readonly string[]>>;

/** A header the stack adds unless the application gave one of that name, e.g. Max-Forwards (canonical name). */
export interface DefaultHeader {
  readonly name: string;
  /** The whole line, CRLF included. */
  readonly line: string;
}

const NO_DEFAULTS: readonly DefaultHeader[] = [];

/**
 * Appends application header fields, one line per value, each under its
 * canonical name (header-names.ts), skipping the `reserved` ones (canonical
 * names), then the `defaults` the fields did not name. Names that are not
 * tokens and values with CR or LF throw a TypeError (header injection).
 */
export function appendHeaderFields(
  out: string,
  fields: HeaderFields,
  reserved: ReadonlySet<string>,
  defaults: readonly DefaultHeader[] = NO_DEFAULTS,
): string {
  let given = 0; // bit i: defaults[i] was named by the fields
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    const name = wireHeaderName(key);
    if (reserved.has(name)) continue;
    for (let i = 0; i < defaults.length; i++) if (defaults[i]!.name === name) given |= 1 << i;
    if (typeof value === 'string') {
      out += headerLine(name, value);
    } else {
      for (const v of value as readonly string[]) out += headerLine(name, v);
    }
  }
  for (let i = 0; i < defaults.length; i++) if ((given & (1 << i)) === 0) out += defaults[i]!.line;
  return out;
}

/** A header line the stack adds by itself; throws a TypeError for a value with CR or LF. */
export function defaultHeader(name: string, value: string): DefaultHeader {
  const canonical = wireHeaderName(name);
  return { name: canonical, line: headerLine(canonical, value) };
}

function headerLine(name: string, value: string): string {
  if (hasLineBreak(value)) throw new TypeError(`header ${name} contains CR or LF`);
  return `${name}: ${value}\r\n`;
}

// Runs for every header of every message sent: two indexOf scans cost less
// than a regular expression test.
function hasLineBreak(text: string): boolean {
  return text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1;
}

/** Appends the raw parsed values of one header (by its lower-case key), one line each, under its canonical name. */
export function appendRaw(out: string, headers: HeaderMap, key: string): string {
  const values = headers.get(key);
  if (values === undefined) return out;
  const name = wireHeaderName(key);
  for (const v of values) out += `${name}: ${v}\r\n`;
  return out;
}

/**
 * Terminates the head with Content-Length (in bytes, RFC 3261 §20.14) and the
 * blank line, and writes head and body into one buffer. A string body is
 * encoded straight into that buffer, bytes are copied: building one string
 * of head and body and encoding it cost twice as much.
 */
export function finishMessage(head: string, body: string | Uint8Array | undefined): Buffer {
  if (body === undefined || body.length === 0) return Buffer.from(`${head}Content-Length: 0\r\n\r\n`, 'utf8');
  const bodyBytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  head += `Content-Length: ${bodyBytes}\r\n\r\n`;
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + bodyBytes);
  out.write(head, 0, 'utf8');
  if (typeof body === 'string') out.write(body, headBytes, 'utf8');
  else out.set(body, headBytes);
  return out;
}
