import type { HeaderMap } from '../wire/header-names.js';
import { parseNameAddr, type NameAddr } from '../wire/name-addr.js';
import { wordEnd } from '../wire/token-chars.js';
import type { CoreHeaders, CSeq } from './message-view.js';

const AT = 64;
const MAX_CSEQ = 2 ** 31; // RFC 3261 §8.1.1.5: sequence number < 2^31
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/**
 * Validates and parses Call-ID, CSeq, From and To (RFC 3261 §8.1.1).
 * Returns the headers or a reason phrase for a 400.
 */
export function readCoreHeaders(fields: HeaderMap): CoreHeaders | string {
  const callIds = fields.get('call-id');
  if (callIds === undefined || (callIds[0] as string).length === 0) return 'Missing Call-ID';
  if (callIds.length > 1) return 'Multiple Call-ID';
  if (!isCallId(callIds[0] as string)) return 'Malformed Call-ID';
  const cseqValues = fields.get('cseq');
  if (cseqValues === undefined) return 'Missing CSeq';
  const cseq = cseqValues.length === 1 ? parseCSeq(cseqValues[0] as string) : undefined;
  if (cseq === undefined) return 'Malformed CSeq';
  const from = readNameAddr(fields, 'from');
  if (from === undefined) return 'Missing or malformed From';
  const to = readNameAddr(fields, 'to');
  if (to === undefined) return 'Missing or malformed To';
  return { callId: callIds[0] as string, cseq, from, to };
}

export function parseCSeq(value: string): CSeq | undefined {
  const text = value.trim();
  let i = 0;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === 0 || i > 10) return undefined;
  const seq = Number(text.slice(0, i));
  if (seq >= MAX_CSEQ) return undefined;
  const method = text.slice(i).trim();
  if (!TOKEN.test(method)) return undefined;
  return { seq, method };
}

/** RFC 3261 §25.1: callid = word [ "@" word ]. It is copied into every response and NOTIFY of the dialog. */
function isCallId(value: string): boolean {
  const first = wordEnd(value, 0);
  if (first === value.length) return first > 0;
  if (first === 0 || value.charCodeAt(first) !== AT) return false;
  const second = wordEnd(value, first + 1);
  return second > first + 1 && second === value.length;
}

function readNameAddr(fields: HeaderMap, name: string): NameAddr | undefined {
  const values = fields.get(name);
  if (values === undefined || values.length !== 1) return undefined;
  try {
    return parseNameAddr(values[0] as string);
  } catch {
    return undefined;
  }
}

/** Best-effort core headers for synthesized responses: never throws. */
export function readCoreHeadersLeniently(fields: HeaderMap): CoreHeaders {
  const strict = readCoreHeaders(fields);
  if (typeof strict !== 'string') return strict;
  const cseqText = fields.get('cseq')?.[0];
  return {
    callId: fields.get('call-id')?.[0] ?? '',
    cseq: (cseqText === undefined ? undefined : parseCSeq(cseqText)) ?? { seq: 0, method: '' },
    from: readNameAddr(fields, 'from') ?? { uri: '', params: {} },
    to: readNameAddr(fields, 'to') ?? { uri: '', params: {} },
  };
}
