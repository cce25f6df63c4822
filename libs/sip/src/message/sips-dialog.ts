import { parseNameAddr } from '../wire/name-addr.js';
import { isSipsUri } from '../wire/sips-scheme.js';
import type { SipRequest } from './message-types.js';

/**
 * RFC 3261 §12.1.1: the Contact of a response that creates a dialog must be
 * a SIPS URI when the request's Request-URI is one, or its top Record-Route
 * is, or (without Record-Route) its Contact is. Requests reaching the
 * application have a well-formed Record-Route (requestProblem).
 */
export function dialogRequiresSips(request: SipRequest): boolean {
  if (isSipsUri(request.uri)) return true;
  const topRoute = request.recordRoute[0];
  if (topRoute !== undefined) return isSipsUri(parseNameAddr(topRoute).uri);
  const contact = request.contacts === '*' ? undefined : request.contacts[0];
  return contact !== undefined && isSipsUri(contact.uri);
}
