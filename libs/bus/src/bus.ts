/** A message delivered to a subscriber. */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** True when the sender waits for a reply (a request). */
  readonly expectsReply: boolean;
  /** Answers a request; a no-op for plain publications. */
  respond(data: Uint8Array): void;
}

export interface BusSubscription {
  /** Stops deliveries at once; messages already on their way to it are dropped. */
  unsubscribe(): void;
  /**
   * Stops new deliveries but hands the messages already routed to this
   * subscription to its handler and resolves once those handlers settled —
   * how a worker gives up a partition without dropping requests in flight.
   * Never rejects.
   */
  drain(): Promise<void>;
}

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group only (NATS semantics). */
  readonly queue?: string;
}

export interface RequestOptions {
  readonly timeoutMs: number;
}

/**
 * The messaging port between edges and presence agents. Subjects are
 * dot-separated tokens; subscriptions may use `*` (one token) and `>` (the
 * rest) wildcards as in NATS.
 */
export interface Bus {
  publish(subject: string, data: Uint8Array): void;
  /** Handlers may be async; a handler that throws or rejects is logged and does not stop delivery. */
  subscribe(subject: string, handler: (message: BusMessage) => void | Promise<void>, options?: SubscribeOptions): BusSubscription;
  /**
   * Sends a request and waits for the first reply. Rejects with
   * NoRespondersError when nobody subscribes to the subject, with
   * BusTimeoutError when no reply comes within `timeoutMs`.
   */
  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array>;
  /**
   * False when a publication on `subject` now would be accepted and reach
   * no subscriber, so a publisher may skip building it (a feed nobody
   * follows); true otherwise. Left out by a bus that cannot tell (NATS: only
   * the server knows its subscriptions): callers then publish.
   */
  hasSubscribers?(subject: string): boolean;
  /** Registers a listener called after the bus reconnects following a disconnection; returns an unregister function. */
  onReconnect(listener: () => void): () => void;
  /** Flushes pending work, stops deliveries; later calls reject/throw BusClosedError. */
  close(): Promise<void>;
}
