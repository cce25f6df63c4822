import type { SubscriptionStatus } from './watcher.js';

/**
 * A notifier-side subscription dialog as mirrored to the store, so another edge
 * can adopt it (refresh or unsubscribe arriving elsewhere). CSeq is the value
 * at the time of mirroring; the live one is kept in edge memory.
 */
export interface DialogRecord {
  readonly subscriptionId: string;
  readonly callId: string;
  /** Our tag (To-tag of the SUBSCRIBE, From-tag of our NOTIFYs). */
  readonly localTag: string;
  readonly remoteTag: string;
  /** From URI of the subscriber (with display name stripped). */
  readonly remoteUri: string;
  /** Request-URI of the SUBSCRIBE = the presentity URI used in our From. */
  readonly localUri: string;
  /** Contact of the subscriber: target of our NOTIFYs. */
  readonly remoteTarget: string;
  /** Record-Route set, in the order used for requests we send. */
  readonly routeSet: readonly string[];
  readonly presentity: string;
  readonly watcher: string;
  readonly event: string;
  readonly status: SubscriptionStatus;
  /** The watcher's view of the document as its agent decided (pres-rules); absent: the whole document. */
  readonly viewKey?: string;
  /** The watcher's notification filters (RFC 4660/4661) as one canonical filter-set document; absent: none. */
  readonly filter?: string;
  /** The subscriber negotiated partial notification (RFC 5263, application/pidf-diff+xml); absent: full documents. */
  readonly partial?: true;
  readonly localCseq: number;
  readonly remoteCseq: number;
  readonly expiresAt: number;
  readonly edgeId: string;
  /** Opaque transport flow token of the edge that holds the connection. */
  readonly flow: string;
}
