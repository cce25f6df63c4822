import type { SipMessage } from './sip-message.js';

/** A request as the generator writes it: everything but the Via branch is known up front. */
export interface RequestParts {
  readonly method: string;
  readonly uri: string;
  /** Our Via value without the branch, e.g. `SIP/2.0/UDP 127.0.0.1:40000`. */
  readonly via: string;
  readonly branch: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact?: string;
  /** Complete header lines without CRLF, e.g. `Event: presence`. */
  readonly headers?: readonly string[];
  /** The value of an Authorization header, e.g. `Digest username="…", …`. */
  readonly authorization?: string;
  readonly contentType?: string;
  /** ASCII only: the length in characters is the length in bytes. */
  readonly body?: string;
}

/** RFC 3261 §8.1.1: the mandatory headers, in the order most stacks write them. */
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
  if (parts.headers !== undefined) for (const line of parts.headers) text += `${line}\r\n`;
  if (parts.authorization !== undefined) text += `Authorization: ${parts.authorization}\r\n`;
  const body = parts.body ?? '';
  if (body.length > 0 && parts.contentType !== undefined) text += `Content-Type: ${parts.contentType}\r\n`;
  return `${text}Content-Length: ${body.length}\r\n\r\n${body}`;
}

/**
 * A response to `request` (RFC 3261 §8.2.6.2): Via lines, From, To, Call-ID
 * and CSeq copied as received. NOTIFYs arrive in-dialog with our To tag
 * already present, so nothing is added.
 */
export function buildResponse(request: SipMessage, status: number, reason: string): string {
  let text = `SIP/2.0 ${status} ${reason}\r\n`;
  for (const via of request.vias) text += `Via: ${via}\r\n`;
  return `${text}From: ${request.from}\r\nTo: ${request.to}\r\nCall-ID: ${request.callId}\r\nCSeq: ${request.cseq} ${request.cseqMethod}\r\nContent-Length: 0\r\n\r\n`;
}
