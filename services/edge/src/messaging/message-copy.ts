import { createHash } from 'node:crypto';
import type { StoredMessage } from '@presence/core';
import { parseNameAddr, type OutgoingRequest, type SipRequest } from '@presence/sip';

/**
 * What the edge sends on to each contact of a MESSAGE's recipient: the
 * sender's From, To, Call-ID and CSeq unchanged (the recipient drops a copy
 * it already has by Call-ID, RFC 3428 §7), its Date and Content-Type, one
 * hop fewer in Max-Forwards, and a Via branch key for loop detection.
 */
export interface MessageCopy {
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes as received: any MIME body passes through unchanged (issue #13), Content-Length counts them. */
  readonly body: Uint8Array;
  /** RFC 3261 §16.6 step 8: put in the branch of every copy we send, found again if one comes back. */
  readonly branchKey?: string;
}

/** Hops a forwarded MESSAGE may take when the sender gave no Max-Forwards (RFC 3261 §8.1.1.6). */
const DEFAULT_MAX_FORWARDS = 70;

/**
 * The loop key of a MESSAGE (RFC 3261 §16.6 step 8): a hash of what stays
 * the same on every hop — Call-ID, CSeq, From tag and To — so the request,
 * if a contact sends it back to us, carries our own Via with this key.
 */
export function loopKey(request: Pick<SipRequest, 'callId' | 'cseq' | 'from' | 'to'>): string {
  const hash = createHash('sha256');
  hash.update(`${request.callId}\n${request.cseq.seq}\n${request.from.params.tag ?? ''}\n${request.to.uri}`);
  return `im-${hash.digest('base64url').slice(0, 16).replace(/_/g, '-')}`;
}

/** True when one of the request's Vias has a branch we made with `key`: it went round a loop (RFC 3261 §16.3 step 4). */
export function cameBackToUs(request: Pick<SipRequest, 'headerValues'>, key: string): boolean {
  const mark = `branch=z9hG4bK${key}.`.toLowerCase();
  return request.headerValues('via').some((via) => via.toLowerCase().replace(/\s+/g, '').includes(mark));
}

/** The copy of a MESSAGE received now, to be sent on or stored; `date` is stamped when the sender sent none. */
export function copyOfRequest(request: SipRequest, key: string, now: number): MessageCopy {
  const headers: Record<string, string> = {
    From: request.header('from') ?? '',
    To: request.header('to') ?? '',
    'Call-ID': request.callId,
    CSeq: `${request.cseq.seq} MESSAGE`,
    Date: request.header('date') ?? new Date(now).toUTCString(),
    'Max-Forwards': String((request.maxForwards ?? DEFAULT_MAX_FORWARDS) - 1),
  };
  const contentType = request.header('content-type');
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  // RFC 3428 §10: with Date, when the content goes stale; checked a number by the handler.
  if (request.expires !== undefined) headers.Expires = String(request.expires);
  return { headers, body: request.bodyBytes, branchKey: key };
}

/** What the store keeps of a copy. */
export function storedMessage(copy: MessageCopy, cseq: number): StoredMessage {
  const { From: from = '', To: to = '', 'Call-ID': callId = '', Date: date = '', 'Content-Type': contentType } = copy.headers;
  return { from, to, callId, cseq, date, body: copy.body, ...(contentType === undefined ? {} : { contentType }) };
}

/** A stored message, to be sent again as it was received (its Date kept). */
export function copyOfStored(message: StoredMessage): MessageCopy {
  const headers: Record<string, string> = {
    From: message.from,
    To: message.to,
    'Call-ID': message.callId,
    CSeq: `${message.cseq} MESSAGE`,
    Date: message.date,
  };
  if (message.contentType !== undefined) headers['Content-Type'] = message.contentType;
  // The From and To were parsed when the MESSAGE arrived, so they parse again.
  const key = loopKey({ callId: message.callId, cseq: { seq: message.cseq, method: 'MESSAGE' }, from: parseNameAddr(message.from), to: parseNameAddr(message.to) });
  return { headers, body: message.body, branchKey: key };
}

/** The MESSAGE to one contact. */
export function messageTo(contact: string, copy: MessageCopy): OutgoingRequest {
  return { method: 'MESSAGE', uri: contact, headers: copy.headers, body: copy.body, branchKey: copy.branchKey };
}
