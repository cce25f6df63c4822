import type { OutgoingRequest } from '../message/message-types.js';
import { appendHeaderFields, defaultHeader, finishMessage, type DefaultHeader } from '../wire/serialize.js';

const STACK_OWNED: ReadonlySet<string> = new Set(['Via', 'Content-Length']);
const METHOD = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

/** Max-Forwards 70 (RFC 3261 §8.1.1.6), then User-Agent (§20.41) when the stack has one. */
export function requestDefaults(userAgent: string | undefined): readonly DefaultHeader[] {
  const maxForwards = defaultHeader('Max-Forwards', '70');
  return userAgent === undefined ? [maxForwards] : [maxForwards, defaultHeader('User-Agent', userAgent)];
}

const PLAIN = requestDefaults(undefined);

/**
 * Serializes a request with our Via on top, headers under their canonical
 * names. `defaults` (Max-Forwards 70, User-Agent) are added when the request
 * does not name them; Content-Length counts body bytes (a string body is
 * sent UTF-8 encoded). Throws a TypeError for a malformed method,
 * Request-URI or header.
 */
export function serializeRequest(request: OutgoingRequest, via: string, defaults: readonly DefaultHeader[] = PLAIN): Buffer {
  if (!METHOD.test(request.method)) throw new TypeError(`invalid method ${request.method}`);
  if (!URI.test(request.uri)) throw new TypeError(`invalid Request-URI ${request.uri}`);
  const head = appendHeaderFields(`${request.method} ${request.uri} SIP/2.0\r\nVia: ${via}\r\n`, request.headers, STACK_OWNED, defaults);
  return finishMessage(head, request.body);
}
