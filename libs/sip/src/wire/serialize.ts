import type { HeaderMap } from './header-names.js';

/** Header fields given by the application: name as it should be written, one or many values. */
export type HeaderFields = Readonly<Record<string, string | readonly string[]>>;

/**
 * Appends application header fields, one line per value, skipping names for
 * which `skip(lowerName)` is true. Names and values must not contain CR or
 * LF (header injection), else a TypeError is thrown.
 */
export function appendHeaderFields(out: string, fields: HeaderFields, skip: (lowerName: string) => boolean): string {
  for (const name in fields) {
    const value = fields[name];
    if (value === undefined || skip(name.toLowerCase())) continue;
    if (hasLineBreak(name)) throw new TypeError(`header name ${JSON.stringify(name)} contains CR or LF`);
    if (typeof value === 'string') {
      out += headerLine(name, value);
    } else {
      for (const v of value as readonly string[]) out += headerLine(name, v);
    }
  }
  return out;
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

/** Appends raw parsed values of one header, one line each. */
export function appendRaw(out: string, name: string, headers: HeaderMap, key: string): string {
  const values = headers.get(key);
  if (values === undefined) return out;
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
