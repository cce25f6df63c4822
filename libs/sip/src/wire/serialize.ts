import type { HeaderMap } from './header-names.js';

/** Header fields given by the application: name as it should be written, one or many values. */
export type HeaderFields = Readonly<Record<string, string | readonly string[]>>;

const CRLF_OR_LF = /[\r\n]/;

/**
 * Appends application header fields, one line per value, skipping names for
 * which `skip(lowerName)` is true. Values must not contain CR or LF (header
 * injection), else a TypeError is thrown.
 */
export function appendHeaderFields(out: string, fields: HeaderFields, skip: (lowerName: string) => boolean): string {
  for (const name in fields) {
    const value = fields[name];
    if (value === undefined || skip(name.toLowerCase())) continue;
    if (typeof value === 'string') {
      out += headerLine(name, value);
    } else {
      for (const v of value as readonly string[]) out += headerLine(name, v);
    }
  }
  return out;
}

function headerLine(name: string, value: string): string {
  if (CRLF_OR_LF.test(value) || CRLF_OR_LF.test(name)) {
    throw new TypeError(`header ${name} contains CR or LF`);
  }
  return `${name}: ${value}\r\n`;
}

/** Appends raw parsed values of one header, one line each. */
export function appendRaw(out: string, name: string, headers: HeaderMap, key: string): string {
  const values = headers.get(key);
  if (values === undefined) return out;
  for (const v of values) out += `${name}: ${v}\r\n`;
  return out;
}

/**
 * Terminates the head with Content-Length (in bytes of the UTF-8 body,
 * RFC 3261 §20.14) and the blank line, appends the body and encodes it.
 */
export function finishMessage(head: string, body: string | undefined): Buffer {
  if (body === undefined || body.length === 0) {
    return Buffer.from(`${head}Content-Length: 0\r\n\r\n`, 'utf8');
  }
  return Buffer.from(`${head}Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`, 'utf8');
}
