import { BadRequestError } from '@presence/core';

/** One body part of a multipart body (RFC 2046 §5.1): its header lines as written, their values by lower-case name, its bytes. */
export interface MimePart {
  /** The part's header section as received, '' when it has none (then text/plain applies, RFC 2046 §5.1.1). */
  readonly headerText: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** Parts a multi-recipient MESSAGE may have: the message and the list, and room for a few a client adds. */
const MAX_PARTS = 8;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary parameter of a multipart Content-Type (token or quoted string, RFC 2046 §5.1.1), or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Splits a multipart body at its boundary delimiters (RFC 2046 §5.1.1:
 * CRLF "--" boundary, the first one possibly at the very start; preamble
 * and epilogue ignored; transport padding after a delimiter allowed). The
 * part bodies are the bytes between delimiters, untouched: a binary part
 * passes through exactly. 400 naming what is wrong otherwise.
 */
export function splitMultipart(body: Buffer, boundary: string): MimePart[] {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // A body that starts with the delimiter has no preamble and no CRLF before it.
  let at = body.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2)) ? -2 : body.indexOf(delimiter);
  if (at === -1) throw new BadRequestError(`Malformed multipart/mixed body: no --${boundary} delimiter`);
  const parts: MimePart[] = [];
  for (;;) {
    let next = at + delimiter.length;
    if (body[next] === 0x2d && body[next + 1] === 0x2d) return parts; // close delimiter: the rest is epilogue
    while (body[next] === 0x20 || body[next] === 0x09) next++;
    if (!body.subarray(next, next + 2).equals(CRLF)) throw new BadRequestError('Malformed multipart/mixed body: a delimiter line goes on after the boundary');
    const start = next + 2;
    const end = body.indexOf(delimiter, start - 2);
    if (end === -1 || end < start - 2) throw new BadRequestError(`Malformed multipart/mixed body: no closing --${boundary}--`);
    if (parts.length === MAX_PARTS) throw new BadRequestError(`Malformed multipart/mixed body: more than ${MAX_PARTS} parts`);
    parts.push(part(body.subarray(start, Math.max(start, end))));
    at = end;
  }
}

function part(bytes: Buffer): MimePart {
  // No header section: the part starts with its blank line (RFC 2046 §5.1.1), or is empty.
  if (bytes.length === 0 || bytes.subarray(0, 2).equals(CRLF)) return { headerText: '', headers: new Map(), body: bytes.subarray(Math.min(2, bytes.length)) };
  const end = bytes.indexOf(HEADER_END);
  if (end === -1) throw new BadRequestError('Malformed multipart/mixed body: a part without the blank line after its headers');
  const headerText = bytes.toString('utf8', 0, end);
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of headerText.split('\r\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BadRequestError(`Malformed multipart/mixed body: part header line "${line.slice(0, 40)}"`);
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headerText, headers, body: bytes.subarray(end + 4) };
}

/** A header value's first token (before any parameters), lower case: the media type or disposition type. */
export function valueToken(value: string | undefined): string | undefined {
  return value?.split(';', 1)[0]!.trim().toLowerCase();
}
