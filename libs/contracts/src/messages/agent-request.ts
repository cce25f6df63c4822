import type { WatchersCommand } from './watcher-info.js';

/** Version 1 of the edge -> presence-agent requests, sent on `Subjects.agent(partition)`. */

/**
 * Every request may carry a deadline: epoch ms when the edge stops waiting
 * for this attempt and may answer 503 (ARCHITECTURE "Request deadlines").
 * An agent never applies a request past it. Optional so that older edges
 * stay compatible (no deadline: applied as before).
 */
export interface RequestDeadline {
  readonly deadline?: number;
}

/** RFC 3903 PUBLISH, already validated at the edge (event, content type, expires negotiated). */
export interface PublishCommand extends RequestDeadline {
  readonly v: 1;
  readonly type: 'publish';
  readonly presentity: string;
  readonly ifMatch?: string;
  readonly expires: number;
  readonly body?: string;
  readonly contentType?: string;
}

/** A new subscription, a refresh (same subscriptionId) or a fetch (expires 0, nothing stored). */
export interface SubscribeCommand extends RequestDeadline {
  readonly v: 1;
  readonly type: 'subscribe';
  readonly presentity: string;
  readonly subscriptionId: string;
  readonly watcher: string;
  readonly event: string;
  readonly expires: number;
  readonly edgeId: string;
  /** True for the SUBSCRIBE that creates the dialog (RFC 3857 §3.2.4: its watcher event is `subscribe`); absent reads as a refresh. */
  readonly initial?: boolean;
}

export interface UnsubscribeCommand extends RequestDeadline {
  readonly v: 1;
  readonly type: 'unsubscribe';
  readonly presentity: string;
  readonly subscriptionId: string;
  /** Why the edge ended it, for the watcher's winfo event (RFC 3857 §3.2.4); absent from older edges: expired. */
  readonly reason?: UnsubscribeReason;
}

/**
 * How an edge-held subscription ended without the watcher's unsubscribe: it
 * lapsed, its NOTIFY failed for good, or the agent's decision at a refresh
 * wants an active watcher confirmed again (RFC 6665 §4.1.3: no way back to pending).
 */
export type UnsubscribeReason = 'expired' | 'notify-failed' | 'deactivated';

/** Current state of many presentities of one partition (edge convergence after a gap). */
export interface FetchCommand extends RequestDeadline {
  readonly v: 1;
  readonly type: 'fetch';
  readonly presentities: readonly string[];
}

export type AgentRequest = PublishCommand | SubscribeCommand | UnsubscribeCommand | FetchCommand | WatchersCommand;
