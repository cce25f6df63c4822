import { ALL_TRANSPORTS, IGNORED, sipMessage, topVia, type TortureCase } from './torture-case.js';
import { SDP } from './torture-request.js';

// RFC 4475 §3.1.1.12-13: well-formed responses. A presence server sends them
// to none of its client transactions, so they match none and are ignored.

export const VALID_RESPONSE_CASES: readonly TortureCase[] = [
  {
    name: 'unreason', section: '3.1.1.12', title: 'Unusual reason phrase', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: IGNORED },
    why: 'A well-formed 200 (Reason-Phrase is UTF-8 text, RFC 3261 §25.1) that matches no client transaction is discarded (§18.1.2); nothing is sent back.',
    message: (w) => sipMessage([
      `SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c - \u043f\u0440\u043e\u0441\u0442\u043e\u0435`,
      `Via: ${topVia(w)}`,
      `Call-ID: unreason.${w.id}`,
      `CSeq: 35 INVITE`,
      `From: <sip:user@example.com>;tag=11141343`,
      `To: <sip:user@example.edu>;tag=2229`,
      `Content-Type: application/sdp`,
      `l: *`,
      `m: <sip:user@192.0.2.195>`,
    ], SDP),
  },
  {
    name: 'noreason', section: '3.1.1.13', title: 'Empty reason phrase', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: IGNORED },
    why: 'Reason-Phrase may be empty (RFC 3261 §25.1, *( ... )); a response that matches no transaction is discarded (§18.1.2).',
    message: (w) => sipMessage([
      `SIP/2.0 100 `,
      `Via: ${topVia(w)}`,
      `Call-ID: noreason.${w.id}`,
      `From: <sip:user@example.com>;tag=38298`,
      `To: <sip:user@example.com>`,
      `CSeq: 1 INVITE`,
      `l: 0`,
    ]),
  },
];
