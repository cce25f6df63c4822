import { BadEventError, BadRequestError, NotAcceptableError, UnsupportedMediaTypeError } from '@presence/core';
import type { SipRequest } from '@presence/sip';

export const PRESENCE_EVENT = 'presence';
/** RFC 3857: the watcher information template package applied to presence. */
export const WINFO_EVENT = 'presence.winfo';
export const PIDF = 'application/pidf+xml';
/** RFC 5262: partial presence documents (pidf-full, pidf-diff), in NOTIFYs (RFC 5263) and PUBLISH (RFC 5264). */
export const PIDF_DIFF = 'application/pidf-diff+xml';
export const WATCHERINFO = 'application/watcherinfo+xml';
/** RFC 5875: subscriptions to changes of XCAP documents. */
export const XCAP_DIFF_EVENT = 'xcap-diff';
export const XCAP_DIFF = 'application/xcap-diff+xml';
export const RESOURCE_LISTS = 'application/resource-lists+xml';
/** RFC 4662 §4.1: the option tag of a subscriber that takes list NOTIFYs (Supported), and of the RLS's answers (Require). */
export const EVENTLIST = 'eventlist';
/** RFC 5367 §5: a SUBSCRIBE whose body is the list to subscribe to. */
export const RECIPIENT_LIST_SUBSCRIBE = 'recipient-list-subscribe';
/** Option tags a SUBSCRIBE may Require here. */
export const SUBSCRIBE_OPTION_TAGS: readonly string[] = Object.freeze([EVENTLIST, RECIPIENT_LIST_SUBSCRIBE]);

/** The option tags of a header (Require, Supported), lower case. */
export function optionTags(request: SipRequest, header: 'require' | 'supported'): string[] {
  return request.headerValues(header).map((tag) => tag.trim().toLowerCase());
}

/** The packages SUBSCRIBE serves, as Allow-Events lists them (RFC 6665 §8.2.2). */
export const SUBSCRIBE_EVENTS: readonly string[] = Object.freeze([PRESENCE_EVENT, WINFO_EVENT, XCAP_DIFF_EVENT]);
/** PUBLISH serves presence only (RFC 3903 §4: the package must define publication). */
export const PUBLISH_EVENTS: readonly string[] = Object.freeze([PRESENCE_EVENT]);
/** RFC 6665 §4.2.1 / RFC 3856 §6.7 / RFC 3857 §3.2.2: the body type each package's NOTIFYs carry. */
export const NOTIFY_BODY_TYPE: Readonly<Record<string, string>> = Object.freeze({ [PRESENCE_EVENT]: PIDF, [WINFO_EVENT]: WATCHERINFO, [XCAP_DIFF_EVENT]: XCAP_DIFF });

export interface EventHeader {
  readonly packageName: string;
  /** The header as received, echoed in NOTIFYs (keeps an `id` parameter, RFC 6665 §8.2.1). */
  readonly value: string;
}

/**
 * The Event must name a package the method serves here: another gets 489
 * with Allow-Events (RFC 6665 §8.2.1). A missing Event is 489 for PUBLISH
 * (RFC 3903 §6 step 2) and 400 for SUBSCRIBE, which RFC 6665 §8.2.1 allows.
 */
export function requireServedEvent(request: SipRequest, served: readonly string[], missing: 'bad-request' | 'bad-event'): EventHeader {
  const value = request.header('event');
  if (value === undefined || value.trim() === '') {
    if (missing === 'bad-event') throw new BadEventError('Bad Event: missing Event header', served);
    throw new BadRequestError('Missing Event header');
  }
  const packageName = value.split(';')[0]!.trim().toLowerCase();
  if (!served.includes(packageName)) throw new BadEventError(`Bad Event: ${packageName} not supported`, served);
  return { packageName, value: value.trim() };
}

/**
 * RFC 6665 §4.2.1.1: the subscriber must accept the package's body type
 * (RFC 3856 §6.7 application/pidf+xml, RFC 3857 §3.2.2
 * application/watcherinfo+xml); an absent Accept means it does.
 */
export function requireAccepts(request: SipRequest, bodyType: string, alternative?: string): void {
  const accepted = acceptedTypes(request);
  if (accepted.length === 0) return;
  if (accepted.some((type) => type === bodyType || type === alternative || type === 'application/*' || type === '*/*')) return;
  throw new NotAcceptableError(`Not Acceptable: ${bodyType} required`, [bodyType]);
}

/** The media types an Accept header lists, lower case, parameters dropped. */
export function acceptedTypes(request: SipRequest): string[] {
  return request.headerValues('accept').map((v) => v.split(';')[0]!.trim().toLowerCase());
}

/**
 * RFC 3903 §6 step 7 / RFC 3261 §21.4.13: bodies other than PIDF, or
 * partial PIDF (RFC 5264), get 415 with Accept; the body type to hand on.
 */
export function requirePidfBody(request: SipRequest): string | undefined {
  if (request.body.length === 0) return undefined;
  if (request.contentType === undefined) throw new UnsupportedMediaTypeError('Missing Content-Type', [PIDF, PIDF_DIFF]);
  if (request.contentType !== PIDF && request.contentType !== PIDF_DIFF) throw new UnsupportedMediaTypeError(`Unsupported Media Type ${request.contentType}`, [PIDF, PIDF_DIFF]);
  return request.contentType;
}
