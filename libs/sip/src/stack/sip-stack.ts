import { isIP } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { newBranch, newTag } from '../ids/random-ids.js';
import type { Logger } from '../logger.js';
import type { OutgoingRequest, SipResponse } from '../message/message-types.js';
import { readCoreHeaders } from '../message/read-core-headers.js';
import { ResponseView, synthesizeResponse } from '../message/response-view.js';
import { ClientTransaction, ClientTransactions } from '../transaction/client-transactions.js';
import { ServerTransactions } from '../transaction/server-transactions.js';
import { resolveTimers } from '../transaction/timer-config.js';
import { ConnectionRegistry } from '../transport/connection-registry.js';
import { ConnectionGate, resolveConnectionLimits, type ConnectionClosedReason, type ResolvedConnectionLimits } from '../transport/connection-limits.js';
import type { InternalFlow, TransportSink } from '../transport/internal-flow.js';
import type { StreamConnection } from '../transport/stream-connection.js';
import { TcpListener } from '../transport/tcp-transport.js';
import { certificateProblem, serverTlsOptions, type TlsCertificate } from '../transport/tls-settings.js';
import { isSecureTransport, type BoundListener, type ListenSpec, type StreamTransportName, type TransportName } from '../transport/transport-types.js';
import { UdpFlow, UdpListener } from '../transport/udp-transport.js';
import { WsListener } from '../transport/ws-transport.js';
import { workerBranchMark, type WorkerSharing } from '../transport/worker-sharing.js';
import type { ParsedMessage } from '../wire/parse-message.js';
import { formatHost } from '../wire/host-port.js';
import { firstListItem } from '../wire/split-list.js';
import { parseVia } from '../wire/via.js';
import { defaultHeader, type DefaultHeader } from '../wire/serialize.js';
import { requestDefaults, serializeRequest } from './outgoing-request.js';
import { RequestIntake } from './request-intake.js';
import type { SendTarget, SipStack, SipStackCounters, SipStackOptions, SipStackStats, WireObserver } from './stack-types.js';
import { TargetResolver } from './target-resolver.js';

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
const TRANSPORTS: readonly TransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];
type Listener = UdpListener | TcpListener | WsListener;

export class SipStackImpl implements SipStack, TransportSink {
  readonly maxMessageBytes: number;
  readonly connectionLimits: ResolvedConnectionLimits;
  readonly gate: ConnectionGate;
  readonly logger: Logger | undefined;
  readonly sharing: WorkerSharing | undefined;
  readonly counters: SipStackCounters = {
    requestsReceived: 0, responsesReceived: 0, retransmissionsAbsorbed: 0, requestsShed: 0, requestsScreenedOut: 0, messagesDropped: 0,
    requestsSent: 0, responsesSent: 0, clientTimeouts: 0, transportFailures: 0, internalErrors: 0, tlsHandshakeFailures: 0,
  };
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new';
  private bound: BoundListener[] = [];
  private readonly instance = newTag();
  private nextConnection = 0;
  private readonly udp: UdpListener[] = [];
  private readonly all: Listener[] = [];
  /** The tls and wss listeners: a new certificate goes to each. */
  private readonly secure: (TcpListener | WsListener)[] = [];
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
  /** Ends every branch we draw when workers share the listeners, so a UDP response finds this worker. */
  private readonly branchMark: string;
  /** WorkerSharing.ownUdpPort: this worker's own socket beside each shared UDP listener, and the Via start naming it. */
  private readonly workerUdp = new Map<UdpListener, { readonly own: UdpListener; viaStart: string }>();

  constructor(private readonly options: SipStackOptions) {
    this.logger = options.logger;
    this.sharing = options.sharing;
    this.branchMark = options.sharing === undefined ? '' : workerBranchMark(options.sharing.worker);
    this.maxMessageBytes = options.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < 1024) {
      throw new RangeError('limits.maxMessageBytes must be an integer >= 1024');
    }
    this.connectionLimits = resolveConnectionLimits(options.connections, this.maxMessageBytes);
    this.gate = new ConnectionGate(this.connectionLimits, (reason, remote) => {
      this.logger?.debug({ reason, remote }, 'connection refused');
      this.report(() => options.onConnectionRefused?.(reason));
    });
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
      screen: options.screen,
      counters,
      onRequest: options.onRequest,
      onHandlerError: options.onHandlerError,
      dropped: (reason, transport, remote) => this.dropped(reason, transport, remote),
    });
    const tls = serverTlsOptionsFor(options);
    options.listen.forEach((spec, index) => {
      // Every stream transport listened on shows in stats(), at 0 until a connection comes.
      if (spec.transport !== 'udp') this.connections.expect(spec.transport);
      this.all.push(this.createListener(spec, index, tls));
    });
    const ownUdpPort = options.sharing?.ownUdpPort;
    if (ownUdpPort !== undefined) {
      // After every shared one, so a listener index names the same socket in every worker (relayed datagrams carry it).
      for (const [index, spec] of options.listen.filter((l) => l.transport === 'udp').entries()) {
        const own = new UdpListener(this.udp.length, { transport: 'udp', host: spec.host, port: ownUdpPort }, this, true);
        this.workerUdp.set(this.udp[index]!, { own, viaStart: '' });
        this.udp.push(own);
      }
    }
    this.targets = new TargetResolver(this.connections, this.udp, this, this.logger, options.tls?.trustedCa);
  }

  private createListener(spec: ListenSpec, index: number, tls: TlsOptions | undefined): Listener {
    switch (spec.transport) {
      case 'udp': {
        const listener = new UdpListener(this.udp.length, spec, this);
        this.udp.push(listener);
        return listener;
      }
      case 'tcp':
        return new TcpListener(spec, this);
      case 'ws':
        return new WsListener(spec, this);
      case 'tls':
      case 'wss': {
        if (tls === undefined) throw new Error(`listen[${index}]: no TLS options`); // serverTlsOptionsFor made them
        const listener = spec.transport === 'tls' ? new TcpListener(spec, this, tls) : new WsListener(spec, this, tls);
        this.secure.push(listener);
        return listener;
      }
      default:
        throw new RangeError(`listen[${index}]: unknown transport ${String(spec.transport)}`);
    }
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
      for (const { own } of this.workerUdp.values()) await own.start();
    } catch (error) {
      this.state = 'stopped';
      await Promise.all([...this.all, ...this.ownUdp()].map((l) => l.stop()));
      throw error;
    }
    this.bound = bound;
    this.host = this.chooseHost();
    for (const transport of TRANSPORTS) {
      const listener = bound.find((l) => l.transport === transport);
      const sentBy = listener === undefined ? this.host : `${this.host}:${listener.port}`;
      this.viaStarts.set(transport, `SIP/2.0/${transport.toUpperCase()} ${sentBy};branch=`);
    }
    for (const egress of this.workerUdp.values()) egress.viaStart = `SIP/2.0/UDP ${this.host}:${egress.own.bound.port};branch=`;
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

  stats(): SipStackStats {
    return {
      connections: this.connections.countByTransport(),
      serverTransactions: this.server.size,
      clientTransactions: this.client.size,
      pendingRequests: this.client.pendingByMethod(),
      requestsInProgress: this.intake.inProgress,
    };
  }

  contactUri(transport: TransportName, user?: string, sips = false): string {
    const userPart = user === undefined ? '' : `${user}@`;
    if (sips && transport !== 'wss') {
      // RFC 5630 §3.1.3: a SIPS URI implies TLS; transport=tls is deprecated beside it.
      const tls = this.bound.find((l) => l.transport === 'tls');
      if (tls === undefined) throw new Error('no tls listener for a SIPS Contact URI');
      return `sips:${userPart}${this.host}:${tls.port}`;
    }
    // RFC 7118 §5.2: the URI parameter is transport=ws for WS and WSS alike; a SIPS URI says "secure".
    const scheme = sips ? 'sips' : 'sip';
    const param = transport === 'wss' ? 'ws' : transport;
    const listener = this.bound.find((l) => l.transport === transport);
    if (listener === undefined) {
      if (transport === 'ws' || transport === 'wss') return `${scheme}:${userPart}${this.instance}.invalid;transport=ws`;
      throw new Error(`no ${transport} listener for a Contact URI`);
    }
    return `${scheme}:${userPart}${this.host}:${listener.port};transport=${param}`;
  }

  reloadCertificate(certificate: TlsCertificate): void {
    if (this.secure.length === 0) throw new Error('no tls or wss listener to give a certificate');
    const problem = certificateProblem(certificate);
    if (problem !== undefined) throw new Error(`TLS certificate not usable (the previous one stays): ${problem}`);
    const options = serverTlsOptions(certificate);
    for (const listener of this.secure) listener.setSecureContext(options);
  }

  sendRequest(request: OutgoingRequest, target: SendTarget): Promise<SipResponse> {
    if (request.branchKey !== undefined && !/^[A-Za-z0-9-]+$/.test(request.branchKey)) return Promise.reject(new TypeError(`invalid branch key ${request.branchKey}`));
    const branch = this.client.newBranch(newBranch(request.branchKey), this.branchMark);
    let flow = this.state === 'started' ? this.resolve(target) : undefined;
    const egress = flow instanceof UdpFlow ? this.workerUdp.get(flow.listener) : undefined;
    if (egress !== undefined && flow !== undefined) flow = new UdpFlow(egress.own, flow.remoteAddress, flow.remotePort);
    let via = egress === undefined ? this.viaFor(flow?.transport ?? 'udp', branch) : `${egress.viaStart}${branch};rport`;
    if (flow === undefined) {
      this.counters.transportFailures++;
      this.logger?.debug({ method: request.method, state: this.state }, 'no flow for request');
      return Promise.resolve(synthesizeResponse(503, 'Service Unavailable', request.headers, via));
    }
    let data: Buffer;
    try {
      data = serializeRequest(request, via, this.requestDefaults);
      // RFC 3261 §18.1.1: what UDP cannot carry goes over TCP to the same address and port;
      // if none opens, the UDP flow refuses it and the request fails as a transport failure.
      const twin = flow instanceof UdpFlow && data.length > flow.maxMessageBytes ? this.targets.tcpTwin(flow) : undefined;
      if (twin !== undefined) {
        flow = twin;
        via = this.viaFor(twin.transport, branch);
        data = serializeRequest(request, via, this.requestDefaults);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const chosen = flow;
    return new Promise((resolve) => {
      this.client.start(new ClientTransaction(branch, request.method, data, chosen, request.headers, via, resolve, this.client));
    });
  }

  takeDatagram(listenerIndex: number, datagram: Buffer, address: string, port: number): boolean {
    const listener = this.udp[listenerIndex];
    if (this.state !== 'started' || listener === undefined) return false;
    listener.take(datagram, address, port);
    return true;
  }

  /** RFC 3261 §8.1.1.7 Via with branch; RFC 3581 §3 rport on UDP. */
  private viaFor(transport: TransportName, branch: string): string {
    const viaStart = this.viaStarts.get(transport) ?? `SIP/2.0/${transport.toUpperCase()} ${this.host};branch=`;
    return transport === 'udp' ? `${viaStart}${branch};rport` : `${viaStart}${branch}`;
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
    await Promise.all([...this.all.map((l) => l.stop()), ...this.ownUdp().map((l) => l.stop()), this.connections.closeAll()]);
  }

  private ownUdp(): UdpListener[] {
    return [...this.workerUdp.values()].map((egress) => egress.own);
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
    const response = new ResponseView(message.status, message.reason, message.headers, message.bodyBytes, core);
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

  limitClosed(reason: ConnectionClosedReason, transport: StreamTransportName, remote: string): void {
    this.logger?.debug({ reason, transport, remote }, 'connection closed by a limit');
    this.report(() => this.options.onConnectionClosed?.(reason));
  }

  /** Runs a reporting callback; its failure must not fail the transport. */
  private report(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.logger?.error({ err: error }, 'connection limit report failed');
    }
  }

  handshakeFailed(transport: StreamTransportName, remote: string, error: Error): void {
    this.counters.tlsHandshakeFailures++;
    const code = (error as { code?: string }).code;
    this.logger?.debug({ transport, remote, code, reason: error.message }, 'TLS handshake failed; connection closed');
  }

  newConnectionToken(transport: StreamTransportName): string {
    return `${transport}|${this.instance}|${++this.nextConnection}`;
  }

  connectionOpened(connection: StreamConnection, remoteKey: string): void {
    if (connection.outbound) this.gate.outboundOpened();
    if (this.state === 'stopped') connection.close();
    this.connections.add(connection, remoteKey);
  }

  connectionClosed(connection: StreamConnection): void {
    if (connection.outbound) this.gate.outboundClosed();
    this.connections.remove(connection);
  }
}

/** TLS server options when a tls or wss listener is configured; throws when the certificate is missing or unusable. */
function serverTlsOptionsFor(options: SipStackOptions): TlsOptions | undefined {
  const secure = options.listen.find((spec) => isSecureTransport(spec.transport));
  if (secure === undefined) return undefined;
  const certificate = options.tls?.certificate;
  if (certificate === undefined) throw new Error(`a ${secure.transport} listener needs tls.certificate (certificate and private key)`);
  const problem = certificateProblem(certificate);
  if (problem !== undefined) throw new Error(`TLS certificate not usable: ${problem}`);
  return serverTlsOptions(certificate);
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
