import { BadRequestError, ForbiddenError, normalizeAor, tryParseSipUri, UnsupportedMediaTypeError, UnsupportedUriSchemeError, withoutRateParameters } from '@presence/core';
import { dialogRequiresSips, newTag, type IncomingRequest, type SipStack } from '@presence/sip';
import { SIMPLE_FILTER_CONTENT_TYPE } from '@presence/policy';
import type { FilterChange, SubscribeAnswer, SubscriptionRegistry } from '../subscriptions/index.js';
import type { DomainPolicy } from './domain-policy.js';
import type { FilterSets } from './filter-sets.js';
import { notifyControls } from './notify-controls.js';
import { subscribeFilter } from './subscribe-filter.js';
import { acceptedTypes, EVENTLIST, NOTIFY_BODY_TYPE, PIDF_DIFF, PRESENCE_EVENT, RESOURCE_LISTS, requireAccepts, requireServedEvent, SUBSCRIBE_EVENTS, WINFO_EVENT, XCAP_DIFF_EVENT } from './sip-headers.js';

/** Our Contact URI on a transport (the SIP stack knows its listeners). */
export type LocalContacts = Pick<SipStack, 'contactUri' | 'listeners'>;

export interface SubscribeHandlerDeps {
  readonly subscriptions: Pick<SubscriptionRegistry, 'subscribe' | 'resubscribe'>;
  readonly domains: DomainPolicy;
  readonly contacts: LocalContacts;
  /** Equal notification filters share one parsed set. */
  readonly filters: FilterSets;
  /** Resource lists (lists/); absent: every presence SUBSCRIBE names one presentity. */
  readonly lists?: ListRouting;
}

/** Resource lists (RFC 4662, RFC 5367): whether an initial presence SUBSCRIBE names a list, and how subscriptions are to take it. */
export interface ListRouting {
  /**
   * Undefined for a single presentity; else the registry's package for
   * lists and, for an RFC 5367 list, the body that holds it.
   * @throws 421 without eventlist support, 415/400 for a list body it cannot read.
   */
  route(request: IncomingRequest, presentity: string): Promise<{ readonly eventPackage: string; readonly body?: string } | undefined>;
}

/**
 * SUBSCRIBE for the presence package (RFC 6665 §4.2.1, RFC 3856 §6) and its
 * watcher information (RFC 3857) at the SIP side: checks what the message
 * must carry (and, for winfo, that the subscriber is the presentity) and hands one command to
 * subscriptions/, which creates, refreshes or ends the dialog (or serves a
 * fetch) and answers through the SubscribeAnswer given here.
 */
export class SubscribeHandler {
  constructor(private readonly deps: SubscribeHandlerDeps) {}

  async handle(request: IncomingRequest, requester: string | undefined): Promise<void> {
    const event = requireServedEvent(request, SUBSCRIBE_EVENTS, 'bad-request');
    const presence = event.packageName === PRESENCE_EVENT;
    requireAccepts(request, NOTIFY_BODY_TYPE[event.packageName]!, presence ? PIDF_DIFF : undefined);
    const localContact = dialogContact(this.deps.contacts, request);
    const controls = notifyControls(request, event.value);
    const toTag = request.to.params.tag;
    if (toTag) {
      return this.deps.subscriptions.resubscribe(
        {
          callId: request.callId,
          remoteTag: request.from.params.tag ?? '',
          localTag: toTag,
          flow: request.flow.token,
          source: request.flow.remoteAddress,
          localContact,
          remoteCseq: request.cseq.seq,
          requestedExpires: request.expires,
          requester,
          controls,
          ...refreshFilter(request, event.packageName, this.deps.filters),
        },
        answerWith200(request),
      );
    }
    const presentity = normalizeAor(request.uri);
    this.deps.domains.requireServed(presentity);
    const remoteTag = request.from.params.tag;
    if (!remoteTag) throw new BadRequestError('Missing From tag');
    const contact = request.contacts === '*' ? undefined : request.contacts[0];
    if (!contact) throw new BadRequestError('Missing Contact header');
    // RFC 3261 §8.1.1.8: a dialog-creating request's Contact is a SIP or SIPS URI; our NOTIFYs go there.
    if (tryParseSipUri(contact.uri) === undefined) throw new BadRequestError('Malformed Contact');
    if (event.packageName === WINFO_EVENT) requireOwnWatcherInfo(presentity, requester ?? normalizeAor(request.from.uri));
    const list = event.packageName === PRESENCE_EVENT ? await this.deps.lists?.route(request, presentity) : undefined;
    const body = list !== undefined ? list.body : event.packageName === XCAP_DIFF_EVENT ? requireResourceLists(request) : undefined;
    // RFC 4660/4661: a presence SUBSCRIBE for one presentity may carry a notification filter (a list's body is its list, RFC 5367).
    const filter = event.packageName === PRESENCE_EVENT && list === undefined ? subscribeFilter(request, this.deps.filters) : undefined;
    return this.deps.subscriptions.subscribe(
      {
        callId: request.callId,
        remoteTag,
        localTag: newTag(),
        localUri: request.to.uri,
        remoteUri: request.from.uri,
        remoteTarget: contact.uri,
        routeSet: request.recordRoute,
        presentity,
        // The rates are reflected in Subscription-State (RFC 6446 §5.2); the rest of the Event is echoed.
        event: withoutRateParameters(event.value),
        eventPackage: list?.eventPackage ?? event.packageName,
        flow: request.flow.token,
        source: request.flow.remoteAddress,
        localContact,
        remoteCseq: request.cseq.seq,
        requestedExpires: request.expires,
        ...(body === undefined ? {} : { body }),
        controls,
        ...(filter === undefined ? {} : { filter }),
        // RFC 5263 §3: a subscriber to one presentity that lists application/pidf-diff+xml gets partial notifications.
        ...(presence && list === undefined && acceptedTypes(request).includes(PIDF_DIFF) ? { partial: true } : {}),
      },
      // RFC 4662 §4.1: the answer to a list SUBSCRIBE says it is one.
      answerWith200(request, list === undefined ? undefined : { require: EVENTLIST }),
    );
  }
}

/**
 * A refresh's notification filter (RFC 4660 §3.3.3): only a simple-filter
 * body is one. Whether the dialog is a list is known only to subscriptions,
 * so other bodies on a refresh are ignored here, as they were before filters.
 */
function refreshFilter(request: IncomingRequest, packageName: string, filters: FilterSets): { filter?: FilterChange } {
  if (packageName !== PRESENCE_EVENT || request.contentType !== SIMPLE_FILTER_CONTENT_TYPE) return {};
  const filter = subscribeFilter(request, filters);
  return filter === undefined ? {} : { filter };
}

/**
 * RFC 5875 §4: the body names the XCAP documents and directories to watch,
 * as a resource list; the xcap-diff package reads it (and refuses another
 * user's documents). The From is the authenticated user (the authenticator's
 * check), so the package may trust the watcher AOR.
 */
function requireResourceLists(request: IncomingRequest): string {
  if (request.contentType !== RESOURCE_LISTS) throw new UnsupportedMediaTypeError(`Unsupported Media Type: xcap-diff needs a ${RESOURCE_LISTS} body`, [RESOURCE_LISTS]);
  return request.body;
}

/**
 * RFC 3857 leaves who may see a presentity's watchers to policy; ours: the presentity only.
 * The subscriber is the authenticated user, or (under --auth none) the From
 * AOR; in-dialog requests are held to the dialog's subscriber by subscriptions.
 */
function requireOwnWatcherInfo(presentity: string, subscriber: string): void {
  if (subscriber !== presentity) throw new ForbiddenError('Forbidden: only the presentity may subscribe to its watcher information');
}

/**
 * Our Contact for the dialog: on the request's transport, a SIPS URI when
 * the dialog must be secure (RFC 3261 §12.1.1); that needs a tls listener
 * (or the request came over wss), else 416.
 */
function dialogContact(contacts: LocalContacts, request: IncomingRequest): string {
  const sips = dialogRequiresSips(request);
  const transport = request.flow.transport;
  if (sips && transport !== 'wss' && !contacts.listeners.some((l) => l.transport === 'tls')) {
    throw new UnsupportedUriSchemeError('SIPS needs TLS, which this server does not listen on');
  }
  return contacts.contactUri(transport, undefined, sips);
}

/** 200 OK with our tag, the granted Expires and our Contact (RFC 6665 §4.2.1.1); or 204 when no NOTIFY follows (RFC 5839 §6.3). */
function answerWith200(request: IncomingRequest, extra?: Readonly<Record<string, string>>): SubscribeAnswer {
  const respond = (status: 200 | 204, phrase: string) => (dialog: { readonly localTag: string; readonly localContact: string }, expires: number) =>
    request.respond(status, phrase, {
      toTag: dialog.localTag,
      headers: { expires: String(expires), contact: `<${dialog.localContact}>`, ...extra },
    });
  return { accept: respond(200, 'OK'), noNotification: respond(204, 'No Notification') };
}
