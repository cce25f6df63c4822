import { POLITE_BLOCK_VIEW, WHOLE_DOCUMENT_VIEW } from '@presence/contracts';
import type { Clock, SubscriptionStatus, TerminationReason, XcapDocumentStore } from '@presence/core';
import {
  EVERYTHING_PROVIDED,
  evaluateRules,
  presRulesRef,
  viewKey,
  type PresRulesBook,
  type Ruleset,
  type SubHandling,
  type Transformations,
} from '@presence/policy';
import type { WatcherViews } from '../fanout/watcher-views.js';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';
import { PresentitySpheres } from './presentity-spheres.js';
import type { WatcherStatusListener } from './watcher-status-listener.js';

/** What one watcher of a presentity gets, as the edges carry it. */
export interface WatcherAuthorization {
  readonly subHandling: SubHandling;
  /** active (allow, polite-block), pending (confirm) or terminated (block). */
  readonly status: SubscriptionStatus;
  readonly reason?: TerminationReason;
  /** WHOLE_DOCUMENT_VIEW, POLITE_BLOCK_VIEW, or the transformations' viewKey. */
  readonly viewKey: string;
  /** What the view shows; only read when `viewKey` is a transformations key. */
  readonly transformations: Transformations;
}

const EVERYTHING_KEY = viewKey(EVERYTHING_PROVIDED);

/**
 * The agent's authorization of watchers (issue #12: the agent owns the
 * presentity, so it holds the rules; edges only carry the decision). Rules
 * come from the presentity's pres-rules document through the book, parsed
 * once per entity tag; every read asks the store for the document, so a
 * subscription refresh re-checks the tag and corrects a decision a lost
 * bus announcement left stale.
 */
export class WatcherAuthorizer {
  /** The presentities' current spheres, for rules with a sphere condition (bounded like the rules book). */
  readonly spheres: PresentitySpheres;

  constructor(
    private readonly documents: Pick<XcapDocumentStore, 'xcapDocument'>,
    private readonly book: PresRulesBook,
    private readonly defaultSubHandling: SubHandling,
    private readonly clock: Clock,
    spheresKept = 10_000,
  ) {
    this.spheres = new PresentitySpheres(spheresKept);
  }

  /** The presentity's current rules (none when it has no readable document). */
  async rulesOf(presentity: string): Promise<Ruleset> {
    const document = await this.documents.xcapDocument(presRulesRef(presentity));
    return this.book.learn(presentity, document).ruleset;
  }

  /** Forgets the parsed rules of `presentity` (its document changed). */
  forget(presentity: string): void {
    this.book.invalidate(presentity);
  }

  /**
   * RFC 5025 §3.2.1 sub-handling to subscription state: allow and
   * polite-block are active (polite-block shows the offline document,
   * §3.2.1 "polite-block"), confirm is pending (RFC 6665 §4.1.3), block is
   * terminated with reason rejected. The presentity watching itself is
   * always allowed everything: its own rules restrict others. `sphere` is
   * the presentity's current one (RFC 4745 §7.2), undefined when it states none.
   */
  decide(ruleset: Ruleset, presentity: string, watcher: string, sphere?: string): WatcherAuthorization {
    if (watcher === presentity) return { subHandling: 'allow', status: 'active', viewKey: WHOLE_DOCUMENT_VIEW, transformations: EVERYTHING_PROVIDED };
    const decision = evaluateRules(ruleset, { watcher, now: this.clock.now(), ...(sphere === undefined ? {} : { sphere }) }, this.defaultSubHandling);
    const { subHandling, transformations } = decision;
    switch (subHandling) {
      case 'block':
        return { subHandling, status: 'terminated', reason: 'rejected', viewKey: WHOLE_DOCUMENT_VIEW, transformations };
      case 'confirm':
        return { subHandling, status: 'pending', viewKey: WHOLE_DOCUMENT_VIEW, transformations };
      case 'polite-block':
        return { subHandling, status: 'active', viewKey: POLITE_BLOCK_VIEW, transformations };
      case 'allow':
        return { subHandling, status: 'active', viewKey: decision.viewKey === EVERYTHING_KEY ? WHOLE_DOCUMENT_VIEW : decision.viewKey, transformations };
    }
  }
}

/** True when the watcher's view is one the agent renders (a transformations key), not the document itself or the offline one. */
export function isRestrictedView(authorization: Pick<WatcherAuthorization, 'status' | 'viewKey'>): boolean {
  return authorization.status === 'active' && authorization.viewKey !== WHOLE_DOCUMENT_VIEW && authorization.viewKey !== POLITE_BLOCK_VIEW;
}

/** What the agent's authorization paths (a SUBSCRIBE, a rules change) work with. */
export interface AuthorizationDeps {
  readonly updater: PresentityUpdater;
  readonly authorizer: WatcherAuthorizer;
  readonly views: WatcherViews;
  readonly listener: WatcherStatusListener;
  readonly clock: Clock;
  readonly partitionCount: number;
}
