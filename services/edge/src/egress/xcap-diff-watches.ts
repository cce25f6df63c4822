import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import { decodeXcapChange, type Subjects, type SubscribeCommand, type XcapChangeEvent } from '@presence/contracts';
import { BadRequestError, ForbiddenError, type XcapDocumentRef, type XcapDocumentStore } from '@presence/core';
import {
  documentSelector,
  MAX_XCAP_DIFF_RESOURCES,
  parseXcapDiffResources,
  PolicyError,
  renderXcapDiff,
  resourceCovers,
  XCAP_DIFF_CONTENT_TYPE,
  type XcapDiffDocument,
  type XcapResource,
} from '@presence/policy';
import type { Logger } from '@presence/runtime';
import { authorized, type SubscriptionDecision, type WatcherDialog } from '../subscriptions/index.js';
import type { NotifyBodies, NotifyBody } from './notify-bodies.js';

export const XCAP_DIFF_PACKAGE = 'xcap-diff';

/** What an xcap-diff dialog watches and the entity tags it was last told of. */
export interface XcapDiffState {
  readonly presentity: string;
  readonly subscriptionId: string;
  readonly resources: readonly XcapResource[];
  /** Current entity tag per document selector, as read from the store. */
  readonly etags: ReadonlyMap<string, string>;
}

interface Watch {
  readonly presentity: string;
  readonly resources: readonly XcapResource[];
  readonly etags: Map<string, string>;
  /** Changes not notified yet, oldest first; when it overflows, full state instead. */
  pending: XcapDiffDocument[];
  full: boolean;
}

/** Who hears that an xcap-diff dialog has something to send (the subscriptions holding it). */
export interface XcapDiffDelegate {
  onPackageChanged(eventPackage: string, presentity: string): void;
}

/** Changes kept per dialog between two NOTIFYs; more are sent as full state. */
const PENDING_LIMIT = 64;

/**
 * xcap-diff subscriptions (RFC 5875): the documents each dialog watches,
 * their entity tags, and the changes announced on `xcap.<auid>` (one bus
 * subscription per auid while a dialog here watches it). It is the
 * package's agent (full state read from the XCAP store, bounded), its
 * interest and its NOTIFY bodies. An adopted dialog cannot be rebuilt
 * (the mirror does not hold the watched resources): its refresh gets 481
 * and the client subscribes again.
 */
export class XcapDiffWatches implements NotifyBodies {
  readonly contentType = XCAP_DIFF_CONTENT_TYPE;
  delegate: XcapDiffDelegate | undefined;
  private readonly watches = new Map<string, Watch>();
  private readonly auids = new Map<string, { holders: number; subscription: BusSubscription }>();

  constructor(
    private readonly store: Pick<XcapDocumentStore, 'xcapDocument' | 'listXcapDocuments'>,
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    /** The XCAP root URI written in each document's xcap-root (RFC 5874 §4). */
    private readonly xcapRoot: string,
    private readonly logger: Logger,
  ) {}

  /** The package's "agent": parses the resources (initial SUBSCRIBE) or keeps the dialog's (refresh), and reads their entity tags. */
  readonly agent = {
    subscribe: async (fields: Omit<SubscribeCommand, 'v' | 'type'>, body?: string): Promise<SubscriptionDecision<XcapDiffState>> => {
      const resources = body === undefined || body === '' ? this.watches.get(fields.subscriptionId)?.resources : readResources(body);
      if (resources === undefined) throw new BadRequestError('xcap-diff SUBSCRIBE without a resource-lists body');
      // RFC 5875 §4 leaves access to XCAP's rules: a user's own tree, and the global one (read-only to everyone).
      if (resources.some((resource) => resource.scope === 'users' && resource.owner !== fields.watcher)) throw new ForbiddenError("Forbidden: xcap-diff of another user's documents");
      return authorized({ presentity: fields.presentity, subscriptionId: fields.subscriptionId, resources, etags: await this.readEtags(resources) });
    },
    unsubscribe: async (): Promise<void> => {},
    // Adoption: the watched resources are not mirrored, so there is no state to give (481 to the refresh).
    fetchStates: async (): Promise<XcapDiffState[]> => [],
  };

  /** Acquire and release are per dialog (apply and forget), not per presentity. */
  readonly interest = {
    acquire: (): void => {},
    release: (): void => {},
    apply: (state: XcapDiffState): boolean => this.apply(state),
  };

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const watch = this.watches.get(dialog.id);
    if (watch === undefined) return undefined;
    const documents = watch.full || watch.pending.length === 0 ? [...watch.etags].map(([sel, etag]) => ({ sel, newEtag: etag })) : watch.pending;
    watch.full = false;
    watch.pending = [];
    return { body: renderXcapDiff(this.xcapRoot, documents), changedAt: 0 };
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(dialog: WatcherDialog): void {
    const watch = this.watches.get(dialog.id);
    if (watch === undefined) return;
    this.watches.delete(dialog.id);
    for (const auid of auidsOf(watch.resources)) this.releaseAuid(auid);
  }

  close(): void {
    for (const { subscription } of this.auids.values()) subscription.unsubscribe();
    this.auids.clear();
    this.watches.clear();
  }

  private apply(state: XcapDiffState): boolean {
    const previous = this.watches.get(state.subscriptionId);
    for (const auid of auidsOf(state.resources)) this.acquireAuid(auid);
    if (previous) for (const auid of auidsOf(previous.resources)) this.releaseAuid(auid);
    this.watches.set(state.subscriptionId, { presentity: state.presentity, resources: state.resources, etags: new Map(state.etags), pending: [], full: true });
    return true;
  }

  /** Current entity tags of every document the resources name, at most MAX_XCAP_DIFF_RESOURCES documents in all. */
  private async readEtags(resources: readonly XcapResource[]): Promise<Map<string, string>> {
    const etags = new Map<string, string>();
    for (const resource of resources) {
      const refs: XcapDocumentRef[] =
        resource.filename === undefined
          ? (await this.store.listXcapDocuments(resource.scope, resource.owner, MAX_XCAP_DIFF_RESOURCES)).filter((ref) => ref.auid === resource.auid)
          : [{ auid: resource.auid, scope: resource.scope, owner: resource.owner, filename: resource.filename }];
      for (const ref of refs) {
        if (etags.size >= MAX_XCAP_DIFF_RESOURCES) return etags;
        const document = await this.store.xcapDocument(ref);
        if (document) etags.set(documentSelector(ref), document.etag);
      }
    }
    return etags;
  }

  private acquireAuid(auid: string): void {
    const held = this.auids.get(auid);
    if (held) {
      held.holders += 1;
      return;
    }
    this.auids.set(auid, { holders: 1, subscription: this.bus.subscribe(this.subjects.xcapChange(auid), this.onMessage) });
  }

  private releaseAuid(auid: string): void {
    const held = this.auids.get(auid);
    if (!held || --held.holders > 0) return;
    held.subscription.unsubscribe();
    this.auids.delete(auid);
  }

  private readonly onMessage = (message: BusMessage): void => {
    const change = decodedXcapChange(message, this.logger);
    if (change === undefined) return;
    const sel = documentSelector(change);
    const touched = new Set<string>();
    for (const watch of this.watches.values()) {
      if (!watch.resources.some((resource) => resourceCovers(resource, change))) continue;
      // RFC 5874 §4: a change carries both entity tags, a deletion only the previous one.
      if (change.etag === undefined) watch.etags.delete(sel);
      else watch.etags.set(sel, change.etag);
      if (watch.pending.length >= PENDING_LIMIT) watch.full = true;
      else watch.pending.push({ sel, ...(change.previousEtag === undefined ? {} : { previousEtag: change.previousEtag }), ...(change.etag === undefined ? {} : { newEtag: change.etag }) });
      touched.add(watch.presentity);
    }
    for (const presentity of touched) this.delegate?.onPackageChanged(XCAP_DIFF_PACKAGE, presentity);
  };
}

function readResources(body: string): readonly XcapResource[] {
  try {
    return parseXcapDiffResources(body);
  } catch (error) {
    if (error instanceof PolicyError) throw new BadRequestError(error.reason);
    throw error;
  }
}

function auidsOf(resources: readonly XcapResource[]): Set<string> {
  return new Set(resources.map((resource) => resource.auid));
}

/** An `xcap.<auid>` announcement, or undefined (logged) when it does not decode: one bad message never stops the followers. */
export function decodedXcapChange(message: BusMessage, logger: Logger): XcapChangeEvent | undefined {
  try {
    return decodeXcapChange(message.data);
  } catch (error) {
    logger.warn({ err: error }, 'dropping undecodable xcap change');
    return undefined;
  }
}
