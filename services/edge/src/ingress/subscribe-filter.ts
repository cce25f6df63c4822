import { BadRequestError, NotAcceptableHereError, RequestEntityTooLargeError, UnsupportedMediaTypeError } from '@presence/core';
import { mergeFilterSet, parseFilterDocument, PolicyError, SIMPLE_FILTER_CONTENT_TYPE, UnsupportedFilterError } from '@presence/policy';
import type { SipRequest } from '@presence/sip';
import type { FilterChange } from '../subscriptions/index.js';
import type { FilterSets } from './filter-sets.js';

/**
 * The event notification filter a presence SUBSCRIBE carries (RFC 4660,
 * RFC 4661), as the change it makes to the dialog's filters; undefined when
 * it carries no body (a refresh without one keeps the filters held). Any
 * other body type is 415 with Accept; a broken filter 400, one too large
 * 413, one this server cannot process 488 — each reason phrase naming the
 * problem. The document is parsed here, before anything is recorded; the
 * merge with the filters held happens where the dialog is (subscriptions).
 */
export function subscribeFilter(request: SipRequest, shared: FilterSets): FilterChange | undefined {
  if (request.body.length === 0) return undefined;
  if (request.contentType !== SIMPLE_FILTER_CONTENT_TYPE) {
    throw new UnsupportedMediaTypeError(`Unsupported Media Type ${request.contentType ?? '(none)'}: presence SUBSCRIBE takes ${SIMPLE_FILTER_CONTENT_TYPE}`, [SIMPLE_FILTER_CONTENT_TYPE]);
  }
  const operations = sipErrors(() => parseFilterDocument(request.body));
  return (held) => shared.intern(sipErrors(() => mergeFilterSet(held, operations)));
}

function sipErrors<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof UnsupportedFilterError) throw new NotAcceptableHereError(error.reason, { cause: error });
    if (error instanceof PolicyError && error.kind === 'too-large') throw new RequestEntityTooLargeError(`Request Entity Too Large: ${error.reason}`);
    if (error instanceof PolicyError) throw new BadRequestError(error.reason, { cause: error });
    throw error;
  }
}

