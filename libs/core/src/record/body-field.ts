import type { RecordReader } from './record-reader.js';

/**
 * A message body in a JSON record (a bus payload, a stored message): its
 * bytes must come back exactly (issue #13: bodies pass through as bytes).
 * A body that is valid UTF-8 is written as its text, as records written
 * before this field existed were, so old readers still read it; any other
 * body is base64 with `bodyEncoding: "base64"` beside it.
 */
export interface BodyField {
  readonly body: string;
  readonly bodyEncoding?: 'base64';
}

// Fatal: bytes that are not UTF-8 throw instead of turning into U+FFFD; a BOM is kept, as it is part of the bytes.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function bodyField(bytes: Uint8Array): BodyField {
  try {
    return { body: strictUtf8.decode(bytes) };
  } catch {
    return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), bodyEncoding: 'base64' };
  }
}

/** The bytes of `body` (and `bodyEncoding` when present; absent in records older than the field: text). */
export function readBodyField(r: RecordReader<string>): Buffer {
  const body = r.string('body');
  const encoding = r.optionalString('bodyEncoding');
  if (encoding === undefined) return Buffer.from(body, 'utf8');
  if (encoding !== 'base64') r.oneOf('bodyEncoding', ['base64'] as const);
  return Buffer.from(body, 'base64');
}
