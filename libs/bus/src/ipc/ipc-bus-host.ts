import type { Bus, BusMessage, BusSubscription } from '../bus.js';
import { type BusLogger, silentBusLogger } from '../bus-logger.js';
import { BusClosedError, BusTimeoutError, NoRespondersError } from '../errors/bus-errors.js';
import type { IpcChannel } from './ipc-channel.js';
import { type ClientFrame, decodePayload, encodePayload, type RequestFailure } from './ipc-frames.js';

/**
 * Requests delivered to the worker and not yet answered. Beyond this many the
 * oldest is forgotten: its requester has timed out long before (a responder
 * that never answers, e.g. one that threw, leaves its entry behind).
 */
export const MAX_UNANSWERED_REQUESTS = 10_000;

export interface IpcBusHostOptions {
  readonly logger?: BusLogger;
  /** Default MAX_UNANSWERED_REQUESTS. */
  readonly maxUnansweredRequests?: number;
}

/**
 * Serves one IpcBus (a worker process) from the real bus beside it (the
 * primary's LocalBus or NatsBus): each of the worker's subscriptions is one
 * subscription here, so queue groups, wildcards and no-responders are the
 * real bus's own. Closing the host (the worker is gone) unsubscribes them;
 * it never closes the bus.
 */
export class IpcBusHost {
  private readonly logger: BusLogger;
  private readonly maxUnanswered: number;
  private readonly subscriptions = new Map<number, BusSubscription>();
  private readonly unanswered = new Map<number, BusMessage>();
  private nextMessageId = 1;
  private closed = false;
  private readonly stopListening: () => void;
  private readonly stopReconnects: () => void;

  constructor(
    private readonly bus: Bus,
    private readonly channel: IpcChannel,
    options: IpcBusHostOptions = {},
  ) {
    this.logger = options.logger ?? silentBusLogger;
    this.maxUnanswered = options.maxUnansweredRequests ?? MAX_UNANSWERED_REQUESTS;
    this.stopListening = channel.onFrame((frame) => this.receive(frame as ClientFrame));
    this.stopReconnects = bus.onReconnect(() => this.send({ bus: 'reconnected' }));
  }

  /** The worker went away: its subscriptions leave the bus; requests it sent still settle, unheard. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.stopReconnects();
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
    this.unanswered.clear();
  }

  private send(frame: Parameters<IpcChannel['send']>[0]): void {
    if (!this.closed) this.channel.send(frame);
  }

  private receive(frame: ClientFrame): void {
    try {
      this.apply(frame);
    } catch (error) {
      // The worker validated subjects already; what is left is a closed bus, which the worker learns through timeouts.
      this.logger.warn({ err: error, frame: frame.bus }, 'bus frame from a worker refused');
    }
  }

  private apply(frame: ClientFrame): void {
    switch (frame.bus) {
      case 'pub':
        this.bus.publish(frame.subject, decodePayload(frame.data));
        return;
      case 'sub':
        this.subscribe(frame.sid, frame.subject, frame.queue);
        return;
      case 'unsub':
        this.subscriptions.get(frame.sid)?.unsubscribe();
        this.subscriptions.delete(frame.sid);
        return;
      case 'drain':
        void this.drain(frame.sid);
        return;
      case 'req':
        this.request(frame.rid, frame.subject, frame.data, frame.timeoutMs);
        return;
      case 'respond': {
        const message = this.unanswered.get(frame.mid);
        this.unanswered.delete(frame.mid);
        message?.respond(decodePayload(frame.data));
        return;
      }
      case 'bye':
        void this.farewell();
        return;
    }
  }

  private subscribe(sid: number, subject: string, queue: string | undefined): void {
    const handler = (message: BusMessage): void => {
      const data = encodePayload(message.data);
      if (!message.expectsReply) {
        this.send({ bus: 'msg', sid, subject: message.subject, data });
        return;
      }
      const mid = this.nextMessageId++;
      this.remember(mid, message);
      this.send({ bus: 'msg', sid, subject: message.subject, data, mid });
    };
    this.subscriptions.set(sid, this.bus.subscribe(subject, handler, queue === undefined ? {} : { queue }));
  }

  private remember(mid: number, message: BusMessage): void {
    if (this.unanswered.size >= this.maxUnanswered) {
      const oldest = this.unanswered.keys().next().value as number;
      this.unanswered.delete(oldest);
    }
    this.unanswered.set(mid, message);
  }

  /** Messages already routed to the subscription are forwarded before `drained`, so the worker handles them first. */
  private async drain(sid: number): Promise<void> {
    const subscription = this.subscriptions.get(sid);
    this.subscriptions.delete(sid);
    await subscription?.drain();
    this.send({ bus: 'drained', sid });
  }

  private request(rid: number, subject: string, data: string, timeoutMs: number): void {
    this.bus.request(subject, decodePayload(data), { timeoutMs }).then(
      (reply) => this.send({ bus: 'reply', rid, data: encodePayload(reply) }),
      (error: unknown) => this.send({ bus: 'fail', rid, failure: failureOf(error), reason: error instanceof Error ? error.message : String(error) }),
    );
  }

  private async farewell(): Promise<void> {
    const leaving = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(leaving.map((subscription) => subscription.drain()));
    this.send({ bus: 'bye-ack' });
  }
}

function failureOf(error: unknown): RequestFailure {
  if (error instanceof NoRespondersError) return 'no-responders';
  if (error instanceof BusTimeoutError) return 'timeout';
  if (error instanceof BusClosedError) return 'closed';
  return 'other';
}
