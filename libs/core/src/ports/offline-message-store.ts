/** A page-mode MESSAGE (RFC 3428) kept for a recipient with no binding, with what it is sent again with. */
export interface StoredMessage {
  /** From and To header values as received (tags and display names kept). */
  readonly from: string;
  readonly to: string;
  /** Kept so a UA receiving it twice (at-least-once delivery) can drop the copy. */
  readonly callId: string;
  readonly cseq: number;
  /** The Date header as received, or as stamped when the sender sent none (RFC 3428 §7). */
  readonly date: string;
  readonly contentType?: string;
  /** The bytes as received, any MIME type (issue #13: passed through unchanged, never re-encoded). */
  readonly body: Uint8Array;
}

export interface OfflineMessage extends StoredMessage {
  /** Unique within the recipient's queue; names it for removal. */
  readonly id: string;
  readonly storedAt: number;
  readonly expiresAt: number;
}

export interface OfflineQueueLimits {
  /** Messages one recipient may have waiting; one more is refused, never a silent loss. */
  readonly maxMessages: number;
  /** How long a message waits before it is dropped (counted as expired). */
  readonly ttlMs: number;
}

/** `expired`: lapsed messages dropped from the head of the queue before the cap was judged. */
export type OfflineStoreOutcome =
  | { readonly stored: true; readonly id: string; readonly expired: number }
  | { readonly stored: false; readonly reason: 'full'; readonly expired: number };

export interface OfflineMessages {
  /** Oldest first, not lapsed. */
  readonly messages: OfflineMessage[];
  /** Lapsed messages this read dropped from the head of the queue. */
  readonly expired: number;
}

/**
 * Store-and-forward of MESSAGEs for recipients without a binding (issue #13).
 * Durable: a message is stored before the sender hears 202, and leaves only
 * when a 2xx from the recipient was seen (removeOfflineMessage). Times are
 * the store's clock.
 */
export interface OfflineMessageStore {
  /** Appends to the recipient's queue unless it holds `maxMessages` live ones already. */
  storeOfflineMessage(recipient: string, message: StoredMessage, limits: OfflineQueueLimits): Promise<OfflineStoreOutcome>;
  /** Up to `limit` live messages, oldest first; lapsed ones at the head are dropped and counted. */
  offlineMessages(recipient: string, limit: number): Promise<OfflineMessages>;
  /** Removes one message (delivered); unknown ids are ignored. */
  removeOfflineMessage(recipient: string, id: string): Promise<void>;
  /**
   * Recipients with messages waiting, for a periodic retry: at most `limit`,
   * in AOR byte order, those after `after` when given (a sweep pages
   * through all of them, so none waits behind the first page for ever).
   */
  offlineRecipients(limit: number, after?: string): Promise<string[]>;
  /**
   * Claims the delivery of `recipient`'s queue for `ttlMs`: true when nobody
   * else holds it (or `owner` already does). One deliverer per recipient
   * keeps the order; the time limit frees it from a process that died.
   */
  acquireDeliveryLock(recipient: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the claim up if `owner` holds it. */
  releaseDeliveryLock(recipient: string, owner: string): Promise<void>;
}
