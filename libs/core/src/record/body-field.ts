import { isUtf8 } from 'node:buffer';
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

export function bodyField(bytes: Uint8Array): BodyField {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buffer) ? { body: buffer.toString('utf8') } : { body: buffer.toString('base64'), bodyEncoding: 'base64' };
}

/** The bytes of `body` (and `bodyEncoding` when present; absent in records older than the field: text). */
export function readBodyField(r: RecordReader<string>): Buffer {
  const body = r.string('body');
  const encoding = r.optionalString('bodyEncoding');
  if (encoding === undefined) return Buffer.from(body, 'utf8');
  if (encoding !== 'base64') r.oneOf('bodyEncoding', ['base64'] as const);
  return Buffer.from(body, 'base64');
}
