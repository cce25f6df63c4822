import { parseGenericParams } from '../wire/generic-params.js';
import { isUri, parseNameAddr } from '../wire/name-addr.js';
import { tokenEnd } from '../wire/token-chars.js';
import type { SipRequest } from './message-types.js';

/**
 * Validates, before a request reaches the application, the parts beyond the
 * core headers (readCoreHeaders) that the application may copy into what it
 * sends: the Request-URI, Contact (a NOTIFY's Request-URI), Record-Route (its
 * Route) and Event (echoed in every NOTIFY). Returns the reason phrase of a
 * 400 naming the part, or undefined when the request is sound.
 */
export function requestProblem(request: SipRequest): string | undefined {
  if (!isUri(request.uri)) return 'Malformed Request-URI';
  try {
    void request.contacts;
  } catch {
    return 'Malformed Contact';
  }
  for (const route of request.recordRoute) {
    // RFC 3261 §20.30: rec-route = name-addr *( SEMI rr-param )
    if (!isNameAddr(route)) return 'Malformed Record-Route';
  }
  const event = request.header('event');
  if (event !== undefined && event.length > 0 && !isEvent(event)) return 'Malformed Event';
  return undefined;
}

function isNameAddr(value: string): boolean {
  try {
    parseNameAddr(value);
    return true;
  } catch {
    return false;
  }
}

/** RFC 6665 §8.4: Event = event-type *( SEMI event-param ); event-type is a token. A repeated Event arrives joined with ", " and fails. */
function isEvent(value: string): boolean {
  const typeEnd = tokenEnd(value, 0);
  return typeEnd > 0 && parseGenericParams(value, typeEnd) !== undefined;
}
