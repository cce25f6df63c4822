import { isIP } from 'node:net';
import { newBranch, newTag } from '../ids/random-ids.js';
import type { Logger } from '../logger.js';
import type { OutgoingRequest, SipResponse } from '../message/message-types.js';
import { readCoreHeaders } from '../message/read-core-headers.js';
import { ResponseView, synthesizeResponse } from '../message/response-view.js';
import { ClientTransaction, ClientTransactions } from '../transaction/client-transactions.js';
import { ServerTransactions } from '../transaction/server-transactions.js';
import { resolveTimers } from '../transaction/timer-config.js';
import { ConnectionRegistry } from '../transport/connection-registry.js';
import type { InternalFlow, TransportSink } from '../transport/internal-flow.js';
import type { StreamConnection } from '../transport/stream-connection.js';
import { TcpListener } from '../transport/tcp-transport.js';
import type { BoundListener, TransportName } from '../transport/transport-types.js';
import { UdpListener } from '../transport/udp-transport.js';
import { WsListener } from '../transport/ws-transport.js';
import type { ParsedMessage } from '../wire/parse-message.js';
import { formatHost } from '../wire/host-port.js';
import { firstListItem } from '../wire/split-list.js';
import { parseVia } from '../wire/via.js';
import { defaultHeader, type DefaultHeader } from '../wire/serialize.js';
import { requestDefaults, serializeRequest } from './outgoing-request.js';
import { RequestIntake } from './request-intake.js';
import type { SendTarget, SipStack, SipStackCounters, SipStackOptions, WireObserver } from './stack-types.js';
import { TargetResolver } from './target-resolver.js';

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
type Listener = UdpListener | TcpListener | WsListener;

export class SipStackImpl implements SipStack, TransportSink {
  readonly maxMessageBytes: number;
  readonly logger: Logger | undefined;
  readonly counters: SipStackCounters = {
    requestsReceived: 0, responsesReceived: 0, retransmissionsAbsorbed: 0, requestsShed: 0, messagesDropped: 0,
    requestsSent: 0, responsesSent: 0, clientTimeouts: 0, transportFailures: 0, internalErrors: 0,
  };
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new';
  private bound: BoundListener[] = [];
  private readonly instance = newTag();
  private nextConnection = 0;
  private readonly udp: UdpListener[] = [];
  private readonly all: Listener[] = [];
  private readonly connections = new ConnectionRegistry();
  private readonly server: ServerTransactions;
  private readonly client: ClientTransactions;
  private readonly intake: RequestIntake;
  private readonly targets: TargetResolver;
  /** `SIP/2.0/<TRANSPORT> <sent-by>;branch=` per transport, built once at start rather than per request. */
  private readonly viaStarts = new Map<TransportName, string>();
  private host = '';
  /** Max-Forwards and User-Agent, added to requests that do not carry them. */
  private readonly requestDefaults: readonly DefaultHeader[];
  /** options.onWire behind a guard, or undefined: tracing off costs one check per message. */
  private readonly wire: WireObserver | undefined;

  constructor(private readonly options: SipStackOptions) {
    this.logger = options.logger;
    this.maxMessageBytes = options.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < 1024) {
      throw new RangeError('limits.maxMessageBytes must be an integer >= 1024');
    }
    const timers = resolveTimers(options.timers);
    this.wire = options.onWire === undefined ? undefined : guardedObserver(options.onWire, this.logger);
    const wire = this.wire;
    const counters = this.counters;
    const userAgent = options.userAgent === '' ? undefined : options.userAgent;
    this.requestDefaults = requestDefaults(userAgent);
    const responseDefaults = userAgent === undefined ? [] : [defaultHeader('Server', userAgent)];
    this.server = new ServerTransactions(timers, { logger: this.logger, responseSent: (method, status) => {
        counters.responsesSent++;
        options.onResponse?.(method, status);
      },
      wire,
    }, responseDefaults);
    this.client = new ClientTransactions(timers, {
      logger: this.logger,
      requestSent: () => counters.requestsSent++,
      timedOut: () => counters.clientTimeouts++,
      transportFailed: () => counters.transportFailures++,
      wire,
    });
    this.intake = new RequestIntake(this.server, {
      logger: this.logger,
      admission: options.admission,
      counters,
      onRequest: options.onRequest,
      onHandlerError: options.onHandlerError,
      dropped: (reason, transport, remote) => this.dropped(reason, transport, remote),
    });
    options.listen.forEach((spec, index) => {
      if (spec.transport === 'udp') {
        const listener = new UdpListener(this.udp.length, spec, this);
        this.udp.push(listener);
        this.all.push(listener);
      } else if (spec.transport === 'tcp') this.all.push(new TcpListener(spec, this));
      else if (spec.transport === 'ws') this.all.push(new WsListener(spec, this));
      else throw new RangeError(`listen[${index}]: unknown transport ${String(spec.transport)}`);
    });
    this.targets = new TargetResolver(this.connections, this.udp, this, this.logger);
  }

  get listeners(): readonly BoundListener[] {
    return this.bound;
  }

  async start(): Promise<BoundListener[]> {
    if (this.state !== 'new') throw new Error(`SIP stack cannot start: it is ${this.state}`);
    this.state = 'starting';
    const bound: BoundListener[] = [];
    try {
      for (const listener of this.all) bound.push(await listener.start());
    } catch (error) {
      this.state = 'stopped';
      await Promise.all(this.all.map((l) => l.stop()));
      throw error;
    }
    this.bound = bound;
    this.host = this.chooseHost();
    for (const transport of ['udp', 'tcp', 'ws'] as const) {
      const listener = bound.find((l) => l.transport === transport);
      const sentBy = listener === undefined ? this.host : `${this.host}:${listener.port}`;
      this.viaStarts.set(transport, `SIP/2.0/${transport.toUpperCase()} ${sentBy};branch=`);
    }
    this.state = 'started';
    return [...bound];
  }

  private chooseHost(): string {
    if (this.options.advertisedHost !== undefined) return formatHost(this.options.advertisedHost);
    const listener = this.bound.find((l) => isIP(l.host) !== 0 && l.host !== '0.0.0.0' && l.host !== '::');
    if (listener !== undefined) return formatHost(listener.host);
    if (this.bound.length > 0) this.logger?.warn({}, 'listening on a wildcard address without advertisedHost');
    return `${this.instance}.invalid`; // RFC 7118 §5.2 style host for clients without a listener
  }

  contactUri(transport: TransportName, user?: string): string {
    const userPart = user === undefined ? '' : `${user}@`;
    const listener = this.bound.find((l) => l.transport === transport);
    if (listener === undefined) {
      if (transport === 'ws') return `sip:${userPart}${this.instance}.invalid;transport=ws`;
      throw new Error(`no ${transport} listener for a Contact URI`);
    }
    return `sip:${userPart}${this.host}:${listener.port};transport=${transport}`;
  }

  sendRequest(request: OutgoingRequest, target: SendTarget): Promise<SipResponse> {
    const branch = newBranch();
    const flow = this.state === 'started' ? this.resolve(target) : undefined;
    const transport = flow?.transport ?? 'udp';
    // RFC 3261 §8.1.1.7 Via with branch; RFC 3581 §3 rport on UDP.
    const viaStart = this.viaStarts.get(transport) ?? `SIP/2.0/${transport.toUpperCase()} ${this.host};branch=`;
    const via = transport === 'udp' ? `${viaStart}${branch};rport` : `${viaStart}${branch}`;
    if (flow === undefined) {
      this.counters.transportFailures++;
      this.logger?.debug({ method: request.method, state: this.state }, 'no flow for request');
      return Promise.resolve(synthesizeResponse(503, 'Service Unavailable', request.headers, via));
    }
    let data: Buffer;
    try {
      data = serializeRequest(request, via, this.requestDefaults);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve) => {
      this.client.start(new ClientTransaction(branch, request.method, data, flow, request.headers, via, resolve, this.client));
    });
  }

  /** The flow to send on; undefined (a 503) when the target is unusable, e.g. a URI naming a host no socket can reach. */
  private resolve(target: SendTarget): InternalFlow | undefined {
    try {
      return this.targets.resolve(target);
    } catch (error) {
      this.logger?.warn({ err: error, uri: target.uri }, 'cannot send: no flow to the target');
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    this.intake.stop();
    this.client.stop();
    this.server.stop();
    await Promise.all([...this.all.map((l) => l.stop()), this.connections.closeAll()]);
  }

  // ---- TransportSink ----

  receive(message: ParsedMessage, flow: InternalFlow, raw: Buffer): void {
    if (this.state !== 'started') return;
    this.wire?.('in', raw, flow);
    this.intake.messageRead();
    if (message.method !== undefined) this.intake.handle(message, flow);
    else this.receiveResponse(message, flow);
  }

  private receiveResponse(message: ParsedMessage, flow: InternalFlow): void {
    const via = message.headers.get('via')?.[0];
    const topVia = via === undefined ? undefined : firstListItem(via);
    const branch = topVia === undefined ? undefined : parseVia(topVia)?.params.branch;
    if (typeof branch !== 'string' || message.framingError !== undefined) {
      this.droppedFrom(message.framingError ?? 'response without a usable Via branch', flow);
      return;
    }
    this.counters.responsesReceived++;
    const core = readCoreHeaders(message.headers);
    if (typeof core === 'string') {
      this.droppedFrom(`bad response: ${core}`, flow);
      return;
    }
    const response = new ResponseView(message.status, message.reason, message.headers, message.body, core);
    // §18.1.2: a response that matches no client transaction is discarded.
    if (!this.client.onResponse(branch, response)) this.droppedFrom('response matches no transaction', flow);
  }

  private droppedFrom(reason: string, flow: InternalFlow): void {
    this.dropped(reason, flow.transport, `${flow.remoteAddress}:${flow.remotePort}`);
  }

  dropped(reason: string, transport: string, remote: string): void {
    this.counters.messagesDropped++;
    this.logger?.debug({ reason, transport, remote }, 'SIP message dropped');
  }

  internalError(error: unknown, transport: string, remote: string): void {
    this.counters.messagesDropped++;
    this.counters.internalErrors++;
    this.logger?.error({ err: error, transport, remote }, 'handling a received SIP message failed: message dropped');
    try {
      this.options.onInternalError?.(error);
    } catch {
      // reporting must not fail the transport
    }
  }

  newConnectionToken(transport: 'tcp' | 'ws'): string {
    return `${transport}|${this.instance}|${++this.nextConnection}`;
  }

  connectionOpened(connection: StreamConnection, remoteKey: string): void {
    if (this.state === 'stopped') connection.close();
    this.connections.add(connection, remoteKey);
  }

  connectionClosed(connection: StreamConnection): void {
    this.connections.remove(connection);
  }
}

/** An observer that cannot fail the message it observes: a throw is a bug, logged, and the message goes on. */
function guardedObserver(observer: WireObserver, logger: Logger | undefined): WireObserver {
  return (direction, data, flow) => {
    try {
      observer(direction, data, flow);
    } catch (error) {
      logger?.error({ err: error, direction }, 'SIP wire observer failed; message handled anyway');
    }
  };
}

export function createSipStack(options: SipStackOptions): SipStack {
  return new SipStackImpl(options);
}
