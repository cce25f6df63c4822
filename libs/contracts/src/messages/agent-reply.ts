import type { SubscriptionStatus, TerminationReason } from '@presence/core';
import type { WatchersReply } from './watcher-info.js';

export interface PublishedReply {
  readonly v: 1;
  readonly type: 'published';
  /**
   * The publication's new entity-tag; after a removal (Expires: 0) the one
   * removed. Agents before that change left it out on removal, so an edge
   * still accepts a reply without it.
   */
  readonly etag?: string;
  readonly expires: number;
}

export interface PresentitySnapshot {
  readonly presentity: string;
  readonly version: number;
  /** The store incarnation `version` counts in (PresentityState); absent or '' for a presentity never seen. */
  readonly incarnation?: string;
  readonly document: string;
  /**
   * The same version as seen through the restricted views its watchers hold
   * (pres-rules transformations, RFC 5025 §3.3), by view key; whole-document
   * watchers use `document`. Absent when no watcher has a restricted view.
   */
  readonly views?: Readonly<Record<string, string>>;
}

/** The view key of a watcher who sees the whole composed document (no transformation, or a default allow). */
export const WHOLE_DOCUMENT_VIEW = '';
/** The view key of a politely blocked watcher: always the offline document, whatever the presentity publishes (RFC 5025 §3.2.1). */
export const POLITE_BLOCK_VIEW = 'polite-block';

/**
 * The agent's decision on a SUBSCRIBE (it owns the presentity's pres-rules):
 * `active` with the watcher's view, `pending` (RFC 6665 §4.1.3: waiting for
 * the presentity's confirmation, NOTIFY without state), or `terminated` with
 * reason `rejected` (a block: nothing recorded). `state` is the presentity's
 * snapshot for the edge's cache, `state.views` holding the watcher's view
 * when it is a restricted one; a pending or rejected watcher is sent none of it.
 */
export interface SubscribedReply {
  readonly v: 1;
  readonly type: 'subscribed';
  readonly status: SubscriptionStatus;
  readonly reason?: TerminationReason;
  /** Which view of the document the watcher gets (WHOLE_DOCUMENT_VIEW, POLITE_BLOCK_VIEW or a transformations key); absent reads as the whole document. */
  readonly viewKey?: string;
  readonly expires: number;
  readonly state: PresentitySnapshot;
}

/**
 * Agent -> the edge holding the dialog, on `Subjects.edgeAuthorization(edgeId)`:
 * a rule change moved this watcher (pending -> active, a new view, back to
 * pending, or rejected). Fire and forget: a lost one is corrected by the
 * watcher's next refresh, which the agent decides again.
 */
export interface AuthorizationChange {
  readonly v: 1;
  readonly type: 'authorization';
  readonly subscriptionId: string;
  readonly status: SubscriptionStatus;
  readonly reason?: TerminationReason;
  readonly viewKey: string;
  /** The presentity's current snapshot (with the watcher's view in `views` when restricted). */
  readonly state: PresentitySnapshot;
}

export interface UnsubscribedReply {
  readonly v: 1;
  readonly type: 'unsubscribed';
}

export interface StatesReply {
  readonly v: 1;
  readonly type: 'states';
  readonly states: readonly PresentitySnapshot[];
}

/** A failure the edge turns into a SIP response as is. */
export interface ErrorReply {
  readonly v: 1;
  readonly type: 'error';
  readonly status: number;
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type AgentReply = PublishedReply | SubscribedReply | UnsubscribedReply | StatesReply | WatchersReply | ErrorReply;
