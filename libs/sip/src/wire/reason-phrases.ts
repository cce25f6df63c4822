// Default reason phrases (RFC 3261 §21 and the event/presence extensions).
const PHRASES: ReadonlyMap<number, string> = new Map([
  [100, 'Trying'], [180, 'Ringing'], [183, 'Session Progress'],
  [200, 'OK'], [202, 'Accepted'], [204, 'No Notification'],
  [301, 'Moved Permanently'], [302, 'Moved Temporarily'], [305, 'Use Proxy'],
  [400, 'Bad Request'], [401, 'Unauthorized'], [403, 'Forbidden'], [404, 'Not Found'],
  [405, 'Method Not Allowed'], [406, 'Not Acceptable'], [407, 'Proxy Authentication Required'],
  [408, 'Request Timeout'], [410, 'Gone'], [412, 'Conditional Request Failed'],
  [413, 'Request Entity Too Large'], [414, 'Request-URI Too Long'], [415, 'Unsupported Media Type'],
  [416, 'Unsupported URI Scheme'], [420, 'Bad Extension'], [421, 'Extension Required'],
  [423, 'Interval Too Brief'], [429, 'Provide Referrer Identity'], [480, 'Temporarily Unavailable'],
  [481, 'Call/Transaction Does Not Exist'], [482, 'Loop Detected'], [483, 'Too Many Hops'],
  [484, 'Address Incomplete'], [486, 'Busy Here'], [487, 'Request Terminated'],
  [488, 'Not Acceptable Here'], [489, 'Bad Event'], [491, 'Request Pending'],
  [500, 'Server Internal Error'], [501, 'Not Implemented'], [502, 'Bad Gateway'],
  [503, 'Service Unavailable'], [504, 'Server Time-out'], [505, 'Version Not Supported'],
  [513, 'Message Too Large'], [600, 'Busy Everywhere'], [603, 'Decline'],
  [604, 'Does Not Exist Anywhere'], [606, 'Not Acceptable'],
]);

export function reasonPhrase(status: number): string {
  return PHRASES.get(status) ?? (status < 200 ? 'Provisional' : status < 300 ? 'OK' : 'Error');
}

const CONTROLS = /[\x00-\x1f\x7f]/g;
const MAX_REASON_CHARS = 200;

/**
 * A reason phrase as it can be written in a status line (RFC 3261 §25.1:
 * Reason-Phrase holds no control character): each one becomes a space,
 * and a phrase longer than 200 characters is cut, since reasons may quote
 * request data (a PIDF entity, a media type) of any length and content.
 */
export function writableReasonPhrase(reason: string): string {
  const text = reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 3)}...` : reason;
  return text.replace(CONTROLS, ' ');
}
