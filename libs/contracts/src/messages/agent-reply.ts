import type { SubscriptionStatus } from '@presence/core';
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
}

export interface SubscribedReply {
  readonly v: 1;
  readonly type: 'subscribed';
  readonly status: SubscriptionStatus;
  readonly expires: number;
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
