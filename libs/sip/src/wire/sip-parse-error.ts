/**
 * A SIP message, header or URI could not be parsed. Thrown by `parseNameAddr`
 * and the lazy accessors of request views (e.g. `contacts`, which the intake
 * has already validated); when a request handler lets it escape, the stack
 * answers 400 instead of 500.
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}
