import { BadRequestError, parseRateControl } from '@presence/core';
import type { IncomingRequest } from '@presence/sip';
import type { NotifyControls } from '../subscriptions/index.js';

/** RFC 3261 §25.1 token characters: what an RFC 3903 entity-tag is made of. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/**
 * What a SUBSCRIBE asks of its NOTIFYs: RFC 6446 rates from the Event header
 * and the RFC 5839 Suppress-If-Match condition. SIP-If-Match, which RFC 3903
 * defines for PUBLISH, is taken the same way on SUBSCRIBE: clients that
 * condition their refreshes with it mean the same thing.
 * @throws BadRequestError (400) for a bad rate or more than one condition, or one that is not an entity-tag.
 */
export function notifyControls(request: IncomingRequest, eventValue: string): NotifyControls {
  const rates = parseRateControl(eventValue);
  const conditions = [...request.headerValues('suppress-if-match'), ...request.headerValues('sip-if-match')].map((value) => value.trim());
  // RFC 5839 §5.2: a single conditional header field.
  if (conditions.length > 1) throw new BadRequestError('Bad Request: more than one Suppress-If-Match condition');
  const suppressIfMatch = conditions[0];
  if (suppressIfMatch !== undefined && !TOKEN.test(suppressIfMatch)) throw new BadRequestError('Bad Request: Suppress-If-Match must be an entity-tag or "*"');
  if (rates === undefined && suppressIfMatch === undefined) return NO_CONTROLS;
  return { ...(rates === undefined ? {} : { rates }), ...(suppressIfMatch === undefined ? {} : { suppressIfMatch }) };
}

const NO_CONTROLS: NotifyControls = Object.freeze({});
