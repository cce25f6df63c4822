/** A message delivered to a subscriber. */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** True when the sender waits for a reply (a request). */
  readonly expectsReply: boolean;
  /** Answers a request; a no-op for plain publications. */
  respond(data: Uint8Array): void;
  /**
   * In-process only (LocalBus, a request sent with requestValue): a frozen
   * copy of the value the sender would have encoded, so the receiver need
   * not decode `data`. Read it through receivedValue().
   */
  readonly value?: FlatValue;
  /** In-process only: answers with a value the requester need not decode. Call it through respondWithValue(). */
  respondValue?(value: FlatValue, encode: (value: FlatValue) => Uint8Array): void;
}

/**
 * A message a bus may hand over in-process instead of its bytes: an object
 * whose own properties are all strings, numbers, booleans, null or
 * undefined, so a shallow frozen copy is as good as a decoded one.
 */
export type FlatValue = object;

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

/** How a request value is written as bytes and its reply read from them. */
export interface ValueCodec<R> {
  encode(value: FlatValue): Uint8Array;
  decodeReply(data: Uint8Array): R;
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
  /**
   * publish() for a value, in-process only (LocalBus): encoded only if some
   * subscription matches (a change nobody watches costs no JSON), and a flat
   * value is snapshot as a frozen copy, encoded at most once, when a
   * subscriber first reads `data`. Call it through publishValue(), which
   * encodes for the buses that do not have it.
   */
  publishValue?(subject: string, value: FlatValue, encode: (value: FlatValue) => Uint8Array): void;
  /** Handlers may be async; a handler that throws or rejects is logged and does not stop delivery. */
  subscribe(subject: string, handler: (message: BusMessage) => void | Promise<void>, options?: SubscribeOptions): BusSubscription;
  /**
   * Sends a request and waits for the first reply. Rejects with
   * NoRespondersError when nobody subscribes to the subject, with
   * BusTimeoutError when no reply comes within `timeoutMs`.
   */
  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array>;
  /**
   * request() for a value and its codec, in-process only (LocalBus): a flat
   * value (isFlatValue) goes to the responder as a frozen copy and a flat
   * reply comes back as one, neither encoded nor decoded; anything else
   * travels as bytes. Call it through requestValue(), which encodes for the
   * buses that do not have it.
   */
  requestValue?<R>(subject: string, value: FlatValue, codec: ValueCodec<R>, options: RequestOptions): Promise<R>;
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
