import { sipMessage, topVia, type TortureWire } from './torture-case.js';

export const SDP = ['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 49217 RTP/AVP 0', ''].join('\r\n');

/** Rewrites a message's text (all of these are UTF-8). */
export function edited(message: Buffer, ...edits: [string, string][]): Buffer {
  let text = message.toString('utf8');
  for (const [from, to] of edits) text = text.replace(from, to);
  return Buffer.from(text, 'utf8');
}

/** A request with the usual headers, To <sip:user@DOMAIN>, and a body (SDP unless told) when `body` is given. */
export function request(w: TortureWire, name: string, startLine: string, method: string, extra: readonly string[] = [], body = '', contentType = 'application/sdp'): Buffer {
  return sipMessage([
    startLine,
    `Via: ${topVia(w)}`,
    `Max-Forwards: 70`,
    `From: <sip:caller@example.net>;tag=${name}1`,
    `To: <sip:user@${w.domain}>`,
    `Call-ID: ${name}.${w.id}`,
    `CSeq: 8 ${method}`,
    ...extra,
    ...(body === '' ? [] : [`Content-Type: ${contentType}`]),
    `Content-Length: *`,
  ], body);
}

