import { BadRequestError, ForbiddenError, NoSuchSubscriptionError, type Clock, type XcapDocumentStore } from '@presence/core';
import { bodyList, findService, ListTooLargeError, PolicyError, resolveList, type ListMember, type ServiceList } from '@presence/policy';

/** Where a list subscription's members come from: the service's owner and its list, or an RFC 5367 body (the subscriber's own). */
export interface ListSource {
  readonly owner: string;
  readonly list: ServiceList;
  /** From the SUBSCRIBE body (RFC 5367): never re-read from XCAP. */
  readonly adHoc?: boolean;
}

const RLS_SERVICES_AUID = 'rls-services';
/** How long a URI found to be no list is believed without asking the store again (a lost rls-services announcement heals in this). */
const NOT_A_LIST_MS = 30_000;
/** URIs remembered as no list; past it the oldest is forgotten. */
const MAX_NOT_LISTS = 100_000;
const RLS_SERVICES_FILE = 'index';

/**
 * The list services this edge serves (RFC 4826 §4): a list URI is the
 * service URI of some user's rls-services document. The XCAP server
 * claims every service URI under its own key (`xcapsvc:{uri}`, RFC 4826
 * §4.4.5), so one read names the document that defines it; no scan.
 */
export class ListDirectory {
  /** URI -> until when it is known to be no list: a SUBSCRIBE to a presentity costs no store read while it is here. */
  private readonly notLists = new Map<string, number>();

  constructor(
    private readonly store: XcapDocumentStore,
    private readonly maxMembers: number,
    private readonly clock: Clock,
  ) {}

  /** Some rls-services document changed (announced on the bus): a URI may have become a list. */
  servicesChanged(): void {
    this.notLists.clear();
  }

  /** The service a URI names, if it is a list here; undefined for a presentity (or a claim whose document no longer lists it). */
  async service(uri: string): Promise<ListSource | undefined> {
    const claim = await this.store.xcapServiceClaim(uri);
    if (claim === undefined || claim.holder.auid !== RLS_SERVICES_AUID) return undefined;
    const document = await this.store.xcapDocument(claim.holder);
    if (document === undefined) return undefined;
    let service;
    try {
      service = findService(document.body, uri);
    } catch {
      // Validated by the XCAP server when written; a document that no longer reads defines no list.
      return undefined;
    }
    if (service?.packages !== undefined && !service.packages.includes('presence')) return undefined;
    return service && { owner: claim.holder.owner, list: service.list };
  }

  /** Whether a URI is a list service here (what a SUBSCRIBE without eventlist support is refused for, RFC 4662 §4.1). */
  async isList(uri: string): Promise<boolean> {
    const now = this.clock.now();
    const until = this.notLists.get(uri);
    if (until !== undefined && until > now) return false;
    // A presentity has no claim: one read, then none for a while.
    const claim = await this.store.xcapServiceClaim(uri);
    const list = claim !== undefined && claim.holder.auid === RLS_SERVICES_AUID && (await this.service(uri)) !== undefined;
    if (list) return true;
    this.notLists.delete(uri);
    if (this.notLists.size >= MAX_NOT_LISTS) this.notLists.delete(this.notLists.keys().next().value!);
    this.notLists.set(uri, now + NOT_A_LIST_MS);
    return false;
  }

  /** An RFC 5367 list in a SUBSCRIBE body; references may read only the subscriber's own documents. */
  adHoc(subscriber: string, body: string): ListSource {
    try {
      return { owner: subscriber, list: { kind: 'inline', element: bodyList(body) }, adHoc: true };
    } catch (error) {
      if (error instanceof PolicyError) throw new BadRequestError(`Bad Request: ${error.reason}`);
      throw error;
    }
  }

  /** The members, flattened; over the limit is 403 naming it, a malformed list 400. */
  async members(source: ListSource): Promise<readonly ListMember[]> {
    try {
      const resolved = await resolveList(source.list, (ref) => this.store.xcapDocument(ref).then((d) => d?.body), { owner: source.owner, maxMembers: this.maxMembers });
      return resolved.members;
    } catch (error) {
      if (error instanceof ListTooLargeError) throw new ForbiddenError(`Forbidden: ${error.reason}`);
      if (error instanceof PolicyError) throw new BadRequestError(`Bad Request: ${error.reason}`);
      throw error;
    }
  }

  /** An adopted list dialog is rebuilt from its service; an ad-hoc list cannot be (its body is gone): 481 makes the client subscribe again. */
  async serviceOrGone(uri: string): Promise<ListSource> {
    const source = await this.service(uri);
    if (source === undefined) throw new NoSuchSubscriptionError('Subscription does not exist (its resource list is gone)');
    return source;
  }
}
