import type { Bus, BusMessage, BusSubscription, FlatValue, RequestOptions, SubscribeOptions, ValueCodec } from '../bus.js';
import { type BusLogger, silentBusLogger } from '../bus-logger.js';
import { BusClosedError, NoRespondersError } from '../errors/bus-errors.js';
import { HandedValue, LocalMessage, type LocalReply } from './local-message.js';
import { type BusHandler, LocalSubscription, type SubscriptionRegistry } from './local-subscription.js';
import { HandlerRunner } from '../handler-runner.js';
import { PendingRequest } from './pending-request.js';
import { requestRefusal } from '../request-refusal.js';
import { checkPublishSubject, parsePattern } from './subject-match.js';
import { SubscriptionIndex } from './subscription-index.js';
import { frozenCopy, isFlatValue } from '../value-messages.js';

export interface LocalBusOptions {
  readonly logger?: BusLogger;
}

type State = 'open' | 'closing' | 'closed';

/** Delivery rounds run as microtasks in one event-loop turn before the next waits for setImmediate. */
export const MICROTASK_ROUNDS = 64;

/**
 * In-process Bus with the semantics of core NATS, for single-node mode and
 * tests.
 *
 * - Subjects and patterns follow NATS syntax (`*` one token, `>` one or more
 *   trailing tokens); invalid ones throw InvalidSubjectError.
 * - Delivery is asynchronous: publish() only queues; queued deliveries run
 *   once the current task and its microtasks are done (a queued microtask),
 *   in publish order, so every subscription sees messages in the order they
 *   were published. Not a later macrotask: in the standalone server every
 *   PUBLISH crosses the bus twice (the edge's request to the agent, the
 *   agent's change to the edges' fan-out), and each setImmediate hop made
 *   its NOTIFYs wait behind one more event-loop turn of socket reads and
 *   other requests' work. Rounds of delivery that keep scheduling more
 *   (handlers publishing to each other) are bounded: after
 *   MICROTASK_ROUNDS in one turn the next round waits for setImmediate, so
 *   I/O is never starved. As with NATS callback
 *   subscriptions, an async handler is not awaited before the next message is
 *   handed to it; a handler that throws or rejects is logged.
 * - Queue groups: each message goes to every plain matching subscription and
 *   to one member of each queue group (by name) among the matching ones, the
 *   least recently picked member first (round-robin for a stable group).
 * - All subscribers of one publish share one message object and the very
 *   Uint8Array given to publish(): nothing is copied, so nobody may mutate it.
 * - publishValue() encodes nothing when no subscription matches.
 * - requestValue() hands a flat value over as a frozen copy, and a flat
 *   reply given to respondValue() comes back as one: what encoding and
 *   decoding would give, without JSON. A subscriber reading `data` gets the
 *   value encoded; a reply given as bytes is decoded.
 * - close() works like NATS drain: subscriptions stop matching at once,
 *   deliveries already queued still run and close() resolves after they and
 *   the async handlers they started have settled; requests still unanswered
 *   then reject with BusClosedError. While closing, subscribe() and request()
 *   fail with BusClosedError and publish() reaches nobody; once closed,
 *   publish() throws BusClosedError too.
 */
export class LocalBus implements Bus {
  private readonly logger: BusLogger;
  private readonly index = new SubscriptionIndex();
  private state: State = 'open';
  private closing: Promise<void> | undefined;

  /** Queued deliveries, two parallel arrays (subscription i gets message i). */
  private queuedTo: LocalSubscription[] = [];
  private queuedMessages: LocalMessage[] = [];
  private flushScheduled = false;
  /** Delivery rounds run as microtasks since the last setImmediate reset (see MICROTASK_ROUNDS). */
  private microtaskRounds = 0;
  private readonly handlers = new HandlerRunner((error, message) => {
    try {
      this.logger.error({ err: error, subject: message.subject }, 'bus handler failed');
    } catch {
      // A failing logger must not break delivery either.
    }
  });

  private readonly pendingRequests = new Set<PendingRequest<LocalReply>>();
  private readonly reconnectListeners = new Set<() => void>();
  private pickSequence = 0;

  constructor(options: LocalBusOptions = {}) {
    this.logger = options.logger ?? silentBusLogger;
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.state === 'closed') throw new BusClosedError();
    checkPublishSubject(subject);
    this.dispatch(new LocalMessage(subject, data, undefined));
  }

  publishValue(subject: string, value: FlatValue, encode: (value: FlatValue) => Uint8Array): void {
    if (this.state === 'closed') throw new BusClosedError();
    checkPublishSubject(subject);
    const matches = this.index.match(subject);
    if (matches.length === 0) return;
    // Not flat: encoded now, as publish() would have been given it, so later changes to the value cannot reach the bytes.
    const payload = isFlatValue(value) ? new HandedValue(frozenCopy(value), encode) : encode(value);
    this.dispatch(new LocalMessage(subject, payload, undefined), matches);
  }

  /** What publish would reach now: deliveries are matched at publish (a later subscription gets nothing). A closed bus says true: its publish throws. */
  hasSubscribers(subject: string): boolean {
    return this.state === 'closed' || this.index.match(subject).length > 0;
  }

  subscribe(subject: string, handler: (message: BusMessage) => void | Promise<void>, options: SubscribeOptions = {}): BusSubscription {
    if (this.state !== 'open') throw new BusClosedError();
    const tokens = parsePattern(subject);
    const subscription = new LocalSubscription(this.registry, subject, tokens, options.queue, handler as BusHandler);
    this.index.add(subscription);
    return subscription;
  }

  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    return this.send(subject, data, options, (reply) => (reply instanceof HandedValue ? reply.bytes : reply));
  }

  requestValue<R>(subject: string, value: FlatValue, codec: ValueCodec<R>, options: RequestOptions): Promise<R> {
    if (!isFlatValue(value)) return this.request(subject, codec.encode(value), options).then((reply) => codec.decodeReply(reply));
    const encode = (handed: FlatValue): Uint8Array => codec.encode(handed);
    return this.send(subject, new HandedValue(frozenCopy(value), encode), options, (reply) => (reply instanceof HandedValue ? (reply.value as R) : codec.decodeReply(reply)));
  }

  private send<T>(subject: string, payload: Uint8Array | HandedValue, options: RequestOptions, read: (reply: LocalReply) => T): Promise<T> {
    const refusal = requestRefusal(this.state === 'open', subject);
    if (refusal !== undefined) return refusal;
    return new Promise<T>((resolve, reject) => {
      const pending = new PendingRequest<LocalReply>(this.pendingRequests, subject, (reply) => {
        try {
          resolve(read(reply));
        } catch (error) {
          reject(error);
        }
      }, reject);
      if (this.dispatch(new LocalMessage(subject, payload, pending)) === 0) {
        reject(new NoRespondersError(subject));
        return;
      }
      pending.start(options.timeoutMs);
    });
  }

  onReconnect(listener: () => void): () => void {
    // Wrap so that registering the same function twice gives two independent registrations.
    const entry = (): void => listener();
    this.reconnectListeners.add(entry);
    return () => {
      this.reconnectListeners.delete(entry);
    };
  }

  /** Test hook: a LocalBus never disconnects; this calls the onReconnect listeners as a NatsBus would after a reconnect. */
  simulateReconnect(): void {
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, 'bus reconnect listener failed');
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    this.state = 'closing';
    this.index.clear();
    // Handlers never run inside the close() call itself.
    await Promise.resolve();
    while (this.queuedTo.length > 0 || this.handlers.running > 0) {
      this.flush();
      await this.handlers.idle();
    }
    this.state = 'closed';
    for (const pending of [...this.pendingRequests]) pending.abandon();
    this.reconnectListeners.clear();
  }

  /** Queues the message for every receiver; returns how many there are. */
  private dispatch(message: LocalMessage, matches = this.index.match(message.subject)): number {
    if (matches.length === 0) return 0;
    let groups: Map<string, LocalSubscription> | undefined;
    let receivers = 0;
    for (const subscription of matches) {
      const queue = subscription.queue;
      if (queue === undefined) {
        this.enqueue(subscription, message);
        receivers++;
        continue;
      }
      groups ??= new Map();
      const chosen = groups.get(queue);
      if (chosen === undefined || subscription.lastPicked < chosen.lastPicked) groups.set(queue, subscription);
    }
    if (groups !== undefined) {
      for (const chosen of groups.values()) {
        chosen.lastPicked = ++this.pickSequence;
        this.enqueue(chosen, message);
        receivers++;
      }
    }
    return receivers;
  }

  private enqueue(subscription: LocalSubscription, message: LocalMessage): void {
    this.queuedTo.push(subscription);
    this.queuedMessages.push(message);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      if (this.microtaskRounds === 0) setImmediate(this.newTurn);
      if (this.microtaskRounds < MICROTASK_ROUNDS) {
        this.microtaskRounds++;
        queueMicrotask(this.scheduledFlush);
      } else setImmediate(this.scheduledFlush);
    }
  }

  /** A later turn: delivery rounds may run as microtasks again. */
  private readonly newTurn = (): void => {
    this.microtaskRounds = 0;
  };

  /** What subscriptions use to leave the index and to wait for their queued deliveries. */
  private readonly registry: SubscriptionRegistry = {
    remove: (subscription) => this.index.remove(subscription),
    delivered: async (subscription) => {
      // Deliveries run at the latest one setImmediate after they are queued; nothing new is queued for a removed subscription.
      while (this.queuedTo.includes(subscription)) await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** Delivers what is queued now; what handlers publish meanwhile waits for the next round. */
  private flush(): void {
    const to = this.queuedTo;
    const messages = this.queuedMessages;
    if (to.length === 0) return;
    this.queuedTo = [];
    this.queuedMessages = [];
    for (let i = 0; i < to.length; i++) {
      const subscription = to[i] as LocalSubscription;
      if (!subscription.closed) this.handlers.run(subscription.handler, messages[i] as LocalMessage, subscription.inFlight);
    }
  }
}
