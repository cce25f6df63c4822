import { ExtensionRequiredError, UnsupportedMediaTypeError, BadRequestError } from '@presence/core';
import type { IncomingRequest } from '@presence/sip';
import type { ListRouting } from '../ingress/subscribe-handler.js';
import { EVENTLIST, optionTags, RECIPIENT_LIST_SUBSCRIBE, RESOURCE_LISTS } from '../ingress/sip-headers.js';
import type { ListDirectory } from './list-directory.js';
import { RESOURCE_LIST_PACKAGE } from './list-subscriptions.js';

/**
 * Which presence SUBSCRIBEs are list subscriptions: those to a service URI
 * of an rls-services document (RFC 4826 §4), and those requiring
 * recipient-list-subscribe with the list in the body (RFC 5367). Either
 * needs a subscriber that takes list NOTIFYs (RFC 4662 §4.1: Supported:
 * eventlist), else 421 with Require: eventlist.
 */
export class ListIngress implements ListRouting {
  constructor(private readonly directory: ListDirectory) {}

  async route(request: IncomingRequest, presentity: string): Promise<{ eventPackage: string; body?: string } | undefined> {
    const required = optionTags(request, 'require');
    const bodyList = required.includes(RECIPIENT_LIST_SUBSCRIBE);
    if (!bodyList && !(await this.directory.isList(presentity))) return undefined;
    if (!optionTags(request, 'supported').includes(EVENTLIST) && !required.includes(EVENTLIST)) {
      throw new ExtensionRequiredError(`Extension Required: ${presentity} is a resource list; subscribe with Supported: ${EVENTLIST}`, [EVENTLIST]);
    }
    return bodyList ? { eventPackage: RESOURCE_LIST_PACKAGE, body: recipientList(request) } : { eventPackage: RESOURCE_LIST_PACKAGE };
  }
}

/** RFC 5367 §4: the list is the body, application/resource-lists+xml, with Content-Disposition recipient-list. */
function recipientList(request: IncomingRequest): string {
  if (request.contentType !== RESOURCE_LISTS) throw new UnsupportedMediaTypeError(`Unsupported Media Type: a recipient-list SUBSCRIBE carries its list as ${RESOURCE_LISTS}`, [RESOURCE_LISTS]);
  const disposition = request.header('content-disposition')?.split(';')[0]?.trim().toLowerCase();
  if (disposition !== 'recipient-list') throw new BadRequestError('Bad Request: the list body needs Content-Disposition: recipient-list (RFC 5367)');
  return request.body;
}
