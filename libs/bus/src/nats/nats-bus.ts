import { HandlerRunner } from '../handler-runner.js';
import { connect, Events, type Msg, type NatsConnection, type NatsError, type Subscription } from 'nats';
import type { Bus, BusMessage, BusSubscription, RequestOptions, SubscribeOptions } from '../bus.js';
import { type BusLogger, silentBusLogger } from '../bus-logger.js';
import { BusClosedError, BusTransportError } from '../errors/bus-errors.js';
import { checkPublishSubject, parsePattern } from '../memory/subject-match.js';
import { checkQueueName } from './check-queue-name.js';
import { NATS_BUS_DEFAULTS, type NatsBusOptions, toConnectionOptions } from './nats-bus-options.js';
import { NatsBusSubscription, type SubscriptionRegistry } from './nats-bus-subscription.js';
import { describeNatsError, isClosedCode, natsErrorCode } from './nats-error-code.js';
import { requestRefusal } from '../request-refusal.js';
import { NatsMessage, type Responder } from './nats-message.js';
import { NatsOutbox } from './nats-outbox.js';
import { NatsRequests } from './nats-requests.js';

/**
 * Connects to NATS and returns a NatsBus. Rejects with BusTransportError when
 * no server can be reached now; once connected, the bus reconnects forever.
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const connectionOptions = toConnectionOptions(options);
  let connection: NatsConnection;
  try {
    connection = await connect(connectionOptions);
  } catch (error) {
    throw new BusTransportError('connect', `cannot connect to ${String(connectionOptions.servers)}: ${describeNatsError(error)}`);
  }
  return new NatsBus(connection, options.logger ?? silentBusLogger, options.drainTimeoutMs ?? NATS_BUS_DEFAULTS.drainTimeoutMs);
}

type State = 'open' | 'closing' | 'closed';

const CLOSED = Symbol('closed');

/**
 * The Bus over core NATS (package `nats`), with the semantics of LocalBus
 * wherever NATS allows (see its doc comment).
 *
 * - Subjects and patterns are checked like LocalBus does (InvalidSubjectError),
 *   queue group names too: a bad token would cost the whole connection.
 * - Delivery, wildcards and queue groups are native NATS. Each subscription
 *   gets its own message object and its own copy of the payload. Async
 *   handlers are not awaited before the next message; a handler that throws
 *   or rejects is logged (nats.js itself must never see a throw).
 * - request() resolves with the first reply; NATS "no responders" (503)
 *   becomes NoRespondersError, the client timeout BusTimeoutError, a closed
 *   connection BusClosedError, anything else BusTransportError: no nats.js
 *   error crosses this boundary. Requests share one inbox subscription
 *   (NatsRequests), made at the first request.
 * - Messages (publishes, replies, requests) leave through a NatsOutbox:
 *   those of one turn of the event loop in one socket write. publish()
 *   still throws at once for what it can know then (closed bus, bad
 *   subject, payload over the server's limit).
 * - Disconnection: nats.js reconnects forever (jittered wait), subscriptions
 *   are re-sent before anything buffered, then the onReconnect listeners run.
 *   Publishes while disconnected are buffered by nats.js and discarded at the
 *   next connection attempt (so memory stays bounded): delivered or lost,
 *   never thrown. Requests then end in BusTimeoutError.
 * - close() drains: subscriptions stop at the server and what it sent before
 *   is still delivered; then the handlers still running are awaited (they may
 *   still publish and reply: nats.js drain() would not wait for them); then
 *   pending output is flushed and the connection closed. The network steps
 *   are bounded by drainTimeoutMs. Requests still unanswered then reject with
 *   BusClosedError. While closing, subscribe() and request() fail with
 *   BusClosedError and publish() still sends; once closed, publish() throws.
 */
export class NatsBus implements Bus, SubscriptionRegistry {
  private state: State = 'open';
  private closing: Promise<void> | undefined;
  private readonly subscriptions = new Set<NatsBusSubscription>();
  private readonly handlers = new HandlerRunner((error, message) => this.log('error', { err: error, subject: message.subject }, 'bus handler failed'));
  private readonly reconnectListeners = new Set<() => void>();
  private readonly statusLoop: Promise<void>;
  private readonly responder: Responder = { respond: (message, reply, data) => this.reply(message, reply, data) };
  private readonly outbox = new NatsOutbox((subject, data, reply) => this.send(subject, data, reply));
  private readonly requests = new NatsRequests();
  private requestInbox: Subscription | undefined;

  /** Use connectNatsBus(); this takes over an open connection. */
  constructor(
    private readonly connection: NatsConnection,
    private readonly logger: BusLogger,
    private readonly drainTimeoutMs: number,
  ) {
    this.statusLoop = this.watchStatus();
    // closed() resolves, with the error if any; a rejection (not in its contract) is taken the same way.
    const onClosed = (error: unknown): void => this.connectionClosed(error instanceof Error ? error : undefined);
    void connection.closed().then(onClosed, onClosed);
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.state === 'closed') throw new BusClosedError();
    checkPublishSubject(subject);
    this.checkPayload(subject, data);
    this.outbox.add(subject, data);
  }

  subscribe(subject: string, handler: (message: BusMessage) => void | Promise<void>, options: SubscribeOptions = {}): BusSubscription {
    if (this.state !== 'open') throw new BusClosedError();
    parsePattern(subject);
    const queue = options.queue;
    if (queue !== undefined) checkQueueName(queue);
    const subscription = new NatsBusSubscription(this, subject, queue, handler);
    this.outbox.flush();
    try {
      subscription.sub = this.connection.subscribe(subject, {
        ...(queue === undefined ? {} : { queue }),
        callback: (error, msg) => this.deliver(subscription, error, msg),
      });
    } catch (error) {
      if (isClosedCode(natsErrorCode(error))) throw new BusClosedError();
      throw new BusTransportError('subscribe', `${subject}: ${describeNatsError(error)}`);
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    const refusal = requestRefusal(this.state === 'open', subject);
    if (refusal !== undefined) return refusal;
    try {
      this.checkPayload(subject, data);
      this.openRequestInbox();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new BusTransportError('request', String(error)));
    }
    // A timer of 0 would fire before any reply could come: wait at least 1 ms, as nats.js did.
    const { reply, outcome } = this.requests.open(subject, options.timeoutMs, Math.max(1, Math.ceil(options.timeoutMs)));
    this.outbox.add(subject, data, reply);
    return outcome;
  }

  onReconnect(listener: () => void): () => void {
    // Wrap so that registering the same function twice gives two independent registrations.
    const entry = (): void => listener();
    this.reconnectListeners.add(entry);
    return () => {
      this.reconnectListeners.delete(entry);
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** SubscriptionRegistry: called by NatsBusSubscription.unsubscribe(). */
  remove(subscription: NatsBusSubscription): void {
    this.subscriptions.delete(subscription);
  }

  /** SubscriptionRegistry: before an UNSUB, so the server sees it after the messages sent before it. */
  flushOutbox(): void {
    this.outbox.flush();
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'open') this.state = 'closing';
    // 1. Stop interest at the server; what it sent before still reaches the handlers.
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    if (!(await within(Promise.all(subscriptions.map((s) => s.drainAtServer())), this.drainTimeoutMs))) {
      this.log('warn', { timeoutMs: this.drainTimeoutMs }, 'bus subscriptions not drained in time, closing anyway');
    }
    for (const subscription of subscriptions) subscription.close();
    // 2. Handlers still running may publish and reply: keep the connection for them.
    await this.handlers.idle();
    // 3. Flush what they sent, end the request inbox, close.
    this.outbox.flush();
    if (!this.connection.isClosed()) {
      const drain = this.connection.drain().then(
        () => undefined,
        () => undefined,
      );
      if (!(await within(drain, this.drainTimeoutMs))) {
        this.log('warn', { timeoutMs: this.drainTimeoutMs }, 'bus connection not flushed in time, closing anyway');
      }
      // nats.js drain() resolves without closing when its final flush fails.
      if (!this.connection.isClosed()) await this.connection.close().catch(() => undefined);
    }
    this.state = 'closed';
    this.requests.failAll(() => new BusClosedError());
    await this.statusLoop;
    this.reconnectListeners.clear();
  }

  private deliver(subscription: NatsBusSubscription, error: NatsError | null, msg: Msg): void {
    if (error !== null) {
      // nats.js ends the subscription after an error (e.g. permissions violation).
      this.log('error', { pattern: subscription.pattern, queue: subscription.queue, reason: describeNatsError(error) }, 'bus subscription failed');
      this.subscriptions.delete(subscription);
      subscription.closed = true;
      return;
    }
    if (subscription.closed) return;
    this.handlers.run(subscription.handler, new NatsMessage(msg, this.responder), subscription.inFlight);
  }

  /** Sends a reply; like LocalBus, never throws into the responder. */
  private reply(message: NatsMessage, reply: string, data: Uint8Array): void {
    if (this.state === 'closed') return;
    try {
      this.checkPayload(message.subject, data);
    } catch (error) {
      this.log('warn', { subject: message.subject, reason: describeNatsError(error) }, 'bus reply not sent');
      return;
    }
    this.outbox.add(reply, data);
  }

  /**
   * Hands one message from the outbox to nats.js. What fails here was
   * accepted by publish(), request() or respond() already, so it is told
   * to the request it belongs to, or logged: never thrown.
   */
  private send(subject: string, data: Uint8Array, reply: string | undefined): void {
    try {
      if (reply === undefined) this.connection.publish(subject, data);
      else this.connection.publish(subject, data, { reply });
    } catch (error) {
      const closed = isClosedCode(natsErrorCode(error));
      if (reply !== undefined && this.requests.fail(reply, closed ? new BusClosedError() : new BusTransportError('request', `${subject}: ${describeNatsError(error)}`))) return;
      // After close the receiver is gone or told already: nothing worth a log line.
      if (closed) return;
      this.log('warn', { subject, reason: describeNatsError(error) }, 'bus message not sent');
    }
  }

  /** nats.js would refuse it only when the outbox hands it over: refuse it now, where the caller can be told. */
  private checkPayload(subject: string, data: Uint8Array): void {
    const limit = this.connection.info?.max_payload;
    if (limit !== undefined && data.length > limit) throw new BusTransportError('publish', `${subject}: payload of ${data.length} bytes over the server's ${limit}`);
  }

  /** The one subscription every request's reply comes back on, made at the first request. */
  private openRequestInbox(): void {
    if (this.requestInbox !== undefined) return;
    this.outbox.flush();
    try {
      this.requestInbox = this.connection.subscribe(this.requests.inboxPattern, {
        callback: (error, msg) => {
          if (error === null) return this.requests.deliver(msg);
          // nats.js ends a subscription after an error (e.g. permissions): the next request opens another.
          this.log('error', { reason: describeNatsError(error) }, 'bus request inbox failed');
          this.requestInbox = undefined;
          this.requests.failAll(() => new BusTransportError('request', `inbox: ${describeNatsError(error)}`));
        },
      });
    } catch (error) {
      if (isClosedCode(natsErrorCode(error))) throw new BusClosedError();
      throw new BusTransportError('request', `inbox: ${describeNatsError(error)}`);
    }
  }

  /** Follows the connection's status until it closes: logs, and runs the reconnect listeners. */
  private async watchStatus(): Promise<void> {
    // nats.js never ends a status() iterator when the connection closes: race
    // every step against closed(), and stop the iterator (if it can be) at the end.
    const statuses = this.connection.status();
    const iterator = statuses[Symbol.asyncIterator]();
    const closed = this.connection.closed().then((): typeof CLOSED => CLOSED);
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), closed]);
        if (next === CLOSED || next.done === true) break;
        const status = next.value;
        switch (status.type) {
          case Events.Disconnect:
            this.log('warn', { server: status.data }, 'bus disconnected');
            break;
          case Events.Reconnect:
            this.log('warn', { server: status.data }, 'bus reconnected');
            this.reconnected();
            break;
          case Events.LDM:
            this.log('warn', { server: status.data }, 'bus server entering lame duck mode');
            break;
          case Events.Error:
            this.log('error', { code: status.data, permission: status.permissionContext }, 'bus server reported an error');
            break;
          default:
            // Cluster updates and debug events (reconnecting, ping timer, ...).
            break;
        }
      }
    } catch (error) {
      this.log('error', { reason: String(error) }, 'bus status watch failed');
    } finally {
      (statuses as Partial<{ stop(): void }>).stop?.();
    }
  }

  private reconnected(): void {
    if (this.state !== 'open') return;
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch (error) {
        this.log('error', { err: error }, 'bus reconnect listener failed');
      }
    }
  }

  private connectionClosed(error: void | Error): void {
    if (this.state !== 'open') return;
    // Only a close we did not ask for gets here (the client gave up or was refused).
    this.state = 'closed';
    for (const subscription of this.subscriptions) subscription.closed = true;
    this.subscriptions.clear();
    this.requests.failAll(() => new BusClosedError());
    this.log('error', { reason: error === undefined ? 'closed' : describeNatsError(error) }, 'bus connection closed unexpectedly');
  }

  private log(level: 'warn' | 'error', context: object, message: string): void {
    try {
      this.logger[level](context, message);
    } catch {
      // A failing logger must not break the bus.
    }
  }
}

/** Resolves true when `work` settles within `ms`, false otherwise (work goes on regardless). */
function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true), expired]).finally(() => clearTimeout(timer));
}
