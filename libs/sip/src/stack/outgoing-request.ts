import type { OutgoingRequest } from '../message/message-types.js';
import { appendHeaderFields, finishMessage } from '../wire/serialize.js';

const STACK_OWNED: ReadonlySet<string> = new Set(['via', 'v', 'content-length', 'l']);
const METHOD = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

/**
 * Serializes a request with our Via on top. Max-Forwards 70 is added when
 * absent (RFC 3261 §8.1.1.6); Content-Length counts body bytes (a string
 * body is sent UTF-8 encoded). Throws a TypeError for a malformed method,
 * Request-URI or header value.
 */
export function serializeRequest(request: OutgoingRequest, via: string): Buffer {
  if (!METHOD.test(request.method)) throw new TypeError(`invalid method ${request.method}`);
  if (!URI.test(request.uri)) throw new TypeError(`invalid Request-URI ${request.uri}`);
  let hasMaxForwards = false;
  let head = `${request.method} ${request.uri} SIP/2.0\r\nVia: ${via}\r\n`;
  head = appendHeaderFields(head, request.headers, (name) => {
    if (name === 'max-forwards') hasMaxForwards = true;
    return STACK_OWNED.has(name);
  });
  if (!hasMaxForwards) head += 'Max-Forwards: 70\r\n';
  return finishMessage(head, request.body);
}
