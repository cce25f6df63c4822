import { canonicalHeaderName, type HeaderMap } from '../wire/header-names.js';
import { EMPTY_BODY } from '../wire/parse-message.js';
import type { HeaderFields } from '../wire/serialize.js';
import type { SipResponse } from './message-types.js';
import { MessageView, type CoreHeaders } from './message-view.js';
import { readCoreHeadersLeniently } from './read-core-headers.js';

export class ResponseView extends MessageView implements SipResponse {
  constructor(
    readonly status: number,
    readonly reason: string,
    fields: HeaderMap,
    body: Buffer,
    core: CoreHeaders,
  ) {
    super(fields, body, core);
  }
}

const ECHOED: ReadonlySet<string> = new Set(['call-id', 'cseq', 'from', 'to', 'via']);

/**
 * A response generated locally for a client transaction (408 on Timer F,
 * 503 on transport failure, RFC 3261 §8.1.3.1), carrying the request's
 * Via, From, To, Call-ID and CSeq.
 */
export function synthesizeResponse(status: number, reason: string, request: HeaderFields, via: string): ResponseView {
  const fields: HeaderMap = new Map();
  fields.set('via', [via]);
  for (const name in request) {
    const key = canonicalHeaderName(name);
    const value = request[name];
    if (!ECHOED.has(key) || key === 'via' || value === undefined) continue;
    fields.set(key, typeof value === 'string' ? [value] : [...(value as readonly string[])]);
  }
  return new ResponseView(status, reason, fields, EMPTY_BODY, readCoreHeadersLeniently(fields));
}
