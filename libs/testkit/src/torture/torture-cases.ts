import { INVALID_CASES } from './invalid-messages.js';
import { SEMANTIC_CASES } from './semantic-messages.js';
import { ALL_TRANSPORTS, answered, type TortureCase } from './torture-case.js';
import { request } from './torture-request.js';
import { VALID_CASES } from './valid-messages.js';
import { VALID_RESPONSE_CASES } from './valid-responses.js';

/**
 * Not in RFC 4475: header values are UTF-8 text (RFC 3261 §25: TEXT-UTF8-TRIM,
 * UTF8-NONASCII), so octets that are no UTF-8 make the request malformed.
 */
const INVALID_UTF8_HEADER: TortureCase = {
  name: 'badutf8hdr', section: 'RFC 3261 §25', title: 'Header value that is not UTF-8', valid: false, transports: ALL_TRANSPORTS,
  expect: { default: answered(400) },
  why: 'UTF8-NONASCII is the only non-ASCII allowed in header values (RFC 3261 §25.1): a lone 0xC3 before an ASCII octet, or 0xFF, is malformed: 400.',
  message: (w) => {
    const text = request(w, 'badutf8hdr', `OPTIONS sip:user@${w.domain} SIP/2.0`, 'OPTIONS', ['Subject: caf\u00e9 placeholder']);
    const at = text.indexOf('\u00e9 placeholder', 0, 'utf8');
    return Buffer.concat([text.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), text.subarray(at + Buffer.byteLength('\u00e9'))]);
  },
};

/** Every case: RFC 4475 §3.1.1, §3.1.2, §3.2, §3.3, §3.4, then this project's own. */
export const TORTURE_CASES: readonly TortureCase[] = [...VALID_CASES, ...VALID_RESPONSE_CASES, ...INVALID_CASES, ...SEMANTIC_CASES, INVALID_UTF8_HEADER];
