import { Buffer } from 'node:buffer';
import { RLMI_CONTENT_TYPE } from './rlmi.js';

/** One body part: its Content-ID (without angle brackets), type and bytes, kept as they are. */
export interface RelatedPart {
  readonly cid: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

/**
 * A list NOTIFY body (RFC 4662 §4.5, RFC 2387): multipart/related with the
 * RLMI document as the root part (`type` and `start` name it) and one part
 * per resource instance with state. Parts are binary (SIP is 8-bit clean,
 * RFC 3261 §7.4), so each member's document goes in as the bytes its edge
 * already holds. The boundary must not occur in any part: the caller gives
 * one that cannot (random), and a part that holds it anyway is refused.
 */
export function multipartRelated(rlmi: string, rootCid: string, parts: readonly RelatedPart[], boundary: string): { contentType: string; body: Buffer } {
  const delimiter = `--${boundary}`;
  const chunks: Buffer[] = [];
  const push = (cid: string, type: string, body: Uint8Array): void => {
    if (Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(delimiter)) throw new Error('multipart boundary occurs in a body part');
    chunks.push(Buffer.from(`${delimiter}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${cid}>\r\nContent-Type: ${type}\r\n\r\n`), Buffer.from(body.buffer, body.byteOffset, body.byteLength), CRLF);
  };
  push(rootCid, `${RLMI_CONTENT_TYPE};charset="UTF-8"`, Buffer.from(rlmi, 'utf8'));
  for (const part of parts) push(part.cid, part.contentType, part.body);
  chunks.push(Buffer.from(`${delimiter}--\r\n`));
  return {
    contentType: `multipart/related;type="${RLMI_CONTENT_TYPE}";start="<${rootCid}>";boundary="${boundary}"`,
    body: Buffer.concat(chunks),
  };
}

const CRLF = Buffer.from('\r\n');
