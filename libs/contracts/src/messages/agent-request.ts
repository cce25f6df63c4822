/** Version 1 of the edge -> presence-agent requests, sent on `Subjects.agent(partition)`. */

/** RFC 3903 PUBLISH, already validated at the edge (event, content type, expires negotiated). */
export interface PublishCommand {
  readonly v: 1;
  readonly type: 'publish';
  readonly presentity: string;
  readonly ifMatch?: string;
  readonly expires: number;
  readonly body?: string;
  readonly contentType?: string;
}

/** A new subscription, a refresh (same subscriptionId) or a fetch (expires 0, nothing stored). */
export interface SubscribeCommand {
  readonly v: 1;
  readonly type: 'subscribe';
  readonly presentity: string;
  readonly subscriptionId: string;
  readonly watcher: string;
  readonly event: string;
  readonly expires: number;
  readonly edgeId: string;
}

export interface UnsubscribeCommand {
  readonly v: 1;
  readonly type: 'unsubscribe';
  readonly presentity: string;
  readonly subscriptionId: string;
}

/** Current state of many presentities of one partition (edge convergence after a gap). */
export interface FetchCommand {
  readonly v: 1;
  readonly type: 'fetch';
  readonly presentities: readonly string[];
}

export type AgentRequest = PublishCommand | SubscribeCommand | UnsubscribeCommand | FetchCommand;
