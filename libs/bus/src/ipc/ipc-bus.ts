import type { Bus, BusMessage, BusSubscription, RequestOptions, SubscribeOptions } from '../bus.js';
import { type BusLogger, silentBusLogger } from '../bus-logger.js';
import { BusClosedError, BusTransportError, NoRespondersError } from '../errors/bus-errors.js';
import { HandlerRunner, type BusHandlerFn } from '../handler-runner.js';
import { PendingRequest } from '../memory/pending-request.js';
import { checkPublishSubject, parsePattern } from '../memory/subject-match.js';
import { AckWait } from './ack-wait.js';
import { requestRefusal } from '../request-refusal.js';
import type { IpcChannel } from './ipc-channel.js';
import { type ClientFrame, decodePayload, encodePayload, type HostFrame, type RequestFailure } from './ipc-frames.js';
import { IpcSubscription } from './ipc-subscription.js';

export interface IpcBusOptions {
  readonly logger?: BusLogger;
  /** How long drain() and close() wait for the host's acknowledgement before going on without it (default 5 s). */
  readonly ackLimitMs?: number;
}

type State = 'open' | 'closing' | 'closed';

/**
 * The Bus of a worker process whose real bus lives in another process (the
 * standalone primary): every operation is a frame to an IpcBusHost over an
 * IpcChannel, and the host's bus decides routing, queue groups and no
 * responders, so the semantics are that bus's (LocalBus: core NATS).
 *
 * - Subjects are checked here, so invalid ones throw at the call as on any bus.
 * - A request's timeout runs here as well as at the host: a lost host cannot
 *   leave a request waiting.
 * - close() asks the host to drain this worker's subscriptions and delivers
 *   what was already routed to them, then waits for running handlers; if the
 *   host does not answer within `ackLimitMs` it goes on without it.
 */
export class IpcBus implements Bus {
  private readonly logger: BusLogger;
  private readonly ackLimitMs: number;
  private readonly subscriptions = new Map<number, IpcSubscription>();
  private readonly requests = new Map<number, PendingRequest>();
  private readonly pendingRequests = new Set<PendingRequest>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly handlers = new HandlerRunner((error, message) => {
    try {
      this.logger.error({ err: error, subject: message.subject }, 'bus handler failed');
    } catch {
      // A failing logger must not break delivery either.
    }
  });
  private readonly stopListening: () => void;
  private nextSid = 1;
  private nextRid = 1;
  private state: State = 'open';
  private closing: Promise<void> | undefined;
  private farewell: AckWait | undefined;

  constructor(
    private readonly channel: IpcChannel,
    options: IpcBusOptions = {},
  ) {
    this.logger = options.logger ?? silentBusLogger;
    this.ackLimitMs = options.ackLimitMs ?? 5_000;
    this.stopListening = channel.onFrame((frame) => this.receive(frame as HostFrame));
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.state === 'closed') throw new BusClosedError();
    checkPublishSubject(subject);
    if (this.state === 'open') this.send({ bus: 'pub', subject, data: encodePayload(data) });
  }

  subscribe(subject: string, handler: (message: BusMessage) => void | Promise<void>, options: SubscribeOptions = {}): BusSubscription {
    if (this.state !== 'open') throw new BusClosedError();
    parsePattern(subject);
    const sid = this.nextSid++;
    const subscription = new IpcSubscription(this.subscriptionOwner, sid, handler as BusHandlerFn);
    this.subscriptions.set(sid, subscription);
    this.send(options.queue === undefined ? { bus: 'sub', sid, subject } : { bus: 'sub', sid, subject, queue: options.queue });
    return subscription;
  }

  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    const refusal = requestRefusal(this.state === 'open', subject);
    if (refusal !== undefined) return refusal;
    const rid = this.nextRid++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const forget = (): void => void this.requests.delete(rid);
      const pending = new PendingRequest(
        this.pendingRequests,
        subject,
        (reply) => (forget(), resolve(reply)),
        (error) => (forget(), reject(error)),
      );
      this.requests.set(rid, pending);
      pending.start(options.timeoutMs);
      this.send({ bus: 'req', rid, subject, data: encodePayload(data), timeoutMs: options.timeoutMs });
    });
  }

  onReconnect(listener: () => void): () => void {
    const entry = (): void => listener();
    this.reconnectListeners.add(entry);
    return () => void this.reconnectListeners.delete(entry);
  }

  close(): Promise<void> {
    this.closing ??= this.drainAll();
    return this.closing;
  }

  private async drainAll(): Promise<void> {
    this.state = 'closing';
    this.farewell = new AckWait(this.ackLimitMs);
    this.send({ bus: 'bye' });
    await this.farewell.done;
    await this.handlers.idle();
    this.state = 'closed';
    for (const subscription of this.subscriptions.values()) subscription.closed = true;
    this.subscriptions.clear();
    for (const pending of [...this.pendingRequests]) pending.abandon();
    this.reconnectListeners.clear();
    this.stopListening();
  }

  private send(frame: ClientFrame): void {
    this.channel.send(frame);
  }

  private readonly subscriptionOwner = {
    unsubscribed: (sid: number): void => {
      this.subscriptions.delete(sid);
      if (this.state === 'open') this.send({ bus: 'unsub', sid });
    },
    drainAtHost: (sid: number): AckWait => {
      const wait = new AckWait(this.ackLimitMs);
      this.send({ bus: 'drain', sid });
      return wait;
    },
  };

  private receive(frame: HostFrame): void {
    switch (frame.bus) {
      case 'msg':
        this.deliver(frame.sid, frame.subject, frame.data, frame.mid);
        return;
      case 'reply':
        this.requests.get(frame.rid)?.answer(decodePayload(frame.data));
        return;
      case 'fail': {
        const pending = this.requests.get(frame.rid);
        // The host's timeout is ours: our own timer reports it, with the same class and figures.
        if (pending !== undefined && frame.failure !== 'timeout') pending.fail(requestError(frame.failure, frame.reason, pending.subject));
        return;
      }
      case 'drained': {
        const subscription = this.subscriptions.get(frame.sid);
        subscription?.pendingDrain?.acknowledge();
        if (subscription !== undefined) this.subscriptions.delete(frame.sid);
        return;
      }
      case 'reconnected':
        this.notifyReconnect();
        return;
      case 'bye-ack':
        this.farewell?.acknowledge();
        return;
    }
  }

  private deliver(sid: number, subject: string, data: string, mid: number | undefined): void {
    const subscription = this.subscriptions.get(sid);
    if (subscription === undefined || subscription.closed) return;
    let answered = false;
    const message: BusMessage = {
      subject,
      data: decodePayload(data),
      expectsReply: mid !== undefined,
      respond: (reply) => {
        if (mid === undefined || answered || this.state === 'closed') return;
        answered = true;
        this.send({ bus: 'respond', mid, data: encodePayload(reply) });
      },
    };
    this.handlers.run(subscription.handler, message, subscription.inFlight);
  }

  private notifyReconnect(): void {
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, 'bus reconnect listener failed');
      }
    }
  }
}

function requestError(failure: RequestFailure, reason: string, subject: string): Error {
  if (failure === 'no-responders') return new NoRespondersError(subject);
  if (failure === 'closed') return new BusClosedError();
  return new BusTransportError('request', reason);
}
