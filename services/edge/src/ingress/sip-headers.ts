import { BadEventError, BadRequestError, NotAcceptableError, UnsupportedMediaTypeError } from '@presence/core';
import type { SipRequest } from '@presence/sip';

export const PRESENCE_EVENT = 'presence';
export const PIDF = 'application/pidf+xml';

export interface EventHeader {
  readonly packageName: string;
  /** The header as received, echoed in NOTIFYs (keeps an `id` parameter, RFC 6665 §8.2.1). */
  readonly value: string;
}

/**
 * We serve the presence package only: another package gets 489 with
 * Allow-Events (RFC 6665 §8.2.1). A missing Event is 489 for PUBLISH (RFC 3903
 * §6 step 2) and 400 for SUBSCRIBE, which RFC 6665 §8.2.1 allows.
 */
export function requirePresenceEvent(request: SipRequest, missing: 'bad-request' | 'bad-event'): EventHeader {
  const value = request.header('event');
  if (value === undefined || value.trim() === '') {
    if (missing === 'bad-event') throw new BadEventError('Bad Event: missing Event header', [PRESENCE_EVENT]);
    throw new BadRequestError('Missing Event header');
  }
  const packageName = value.split(';')[0]!.trim().toLowerCase();
  if (packageName !== PRESENCE_EVENT) throw new BadEventError(`Bad Event: ${packageName} not supported`, [PRESENCE_EVENT]);
  return { packageName, value: value.trim() };
}

/** RFC 6665 §4.2.1.1 / RFC 3856 §6.7: the watcher must accept application/pidf+xml (absent Accept means it does). */
export function requireAcceptsPidf(request: SipRequest): void {
  const accepted = request.headerValues('accept').map((v) => v.split(';')[0]!.trim().toLowerCase());
  if (accepted.length === 0) return;
  if (accepted.some((type) => type === PIDF || type === 'application/*' || type === '*/*')) return;
  throw new NotAcceptableError('Not Acceptable: application/pidf+xml required', [PIDF]);
}

/** RFC 3903 §6 step 7 / RFC 3261 §21.4.13: bodies other than PIDF get 415 with Accept. */
export function requirePidfBody(request: SipRequest): void {
  if (request.body.length === 0) return;
  if (request.contentType === undefined) throw new UnsupportedMediaTypeError('Missing Content-Type', [PIDF]);
  if (request.contentType !== PIDF) throw new UnsupportedMediaTypeError(`Unsupported Media Type ${request.contentType}`, [PIDF]);
}
