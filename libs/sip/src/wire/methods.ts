/**
 * The methods the RFCs define: RFC 3261 (INVITE, ACK, CANCEL, BYE, OPTIONS,
 * REGISTER), RFC 3262 (PRACK), RFC 6665 (SUBSCRIBE, NOTIFY), RFC 3903
 * (PUBLISH), RFC 6086 (INFO), RFC 3515 (REFER), RFC 3428 (MESSAGE), RFC 3311
 * (UPDATE). A server that does not serve one of them answers 405 with Allow;
 * a method outside this set is not implemented, 501 (RFC 3261 §8.2.1).
 */
export const SIP_METHODS: ReadonlySet<string> = new Set([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);
