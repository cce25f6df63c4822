import type { Logger } from '../logger.js';
import type { AdmissionLimits } from './request-admission.js';
import type { RequestScreen } from './request-screen.js';
import type { IncomingRequest, OutgoingRequest, SipRequest, SipResponse } from '../message/message-types.js';
import type { ConnectionClosedReason, ConnectionLimits, ConnectionRefusedReason } from '../transport/connection-limits.js';
import type { SipTlsOptions, TlsCertificate } from '../transport/tls-settings.js';
import type { BoundListener, Flow, ListenSpec, TransportName } from '../transport/transport-types.js';
import type { WorkerSharing } from '../transport/worker-sharing.js';

/** Which way a message crossed the wire: received (`in`) or sent (`out`). */
export type WireDirection = 'in' | 'out';

/**
 * Sees every SIP message as bytes on the wire: each one received and parsed,
 * each request and response sent (retransmissions too). `flow` gives the
 * transport and both addresses. Runs inline on the message path, so it must
 * be cheap and must not keep `data` past the call without copying it.
 */
export type WireObserver = (direction: WireDirection, data: Buffer, flow: Flow) => void;

export interface SendTarget {
  /** A flow or its token: send on it while it is alive. */
  flow?: Flow | string;
  /** Remote target like `sip:192.0.2.1:5060;transport=tcp`, used when no live flow is given. */
  uri?: string;
}

export interface SipStackTimers {
  /** RTT estimate, default 500 ms (RFC 3261 §17.1.1.1). */
  t1Ms?: number;
  /** Maximum retransmit interval for non-INVITE requests, default 4000 ms. */
  t2Ms?: number;
  /** Maximum time a message stays in the network, default 5000 ms. */
  t4Ms?: number;
}

export interface SipStackOptions {
  listen: readonly ListenSpec[];
  /** Errors thrown or rejected are caught: 500 (400 for SipParseError) if unanswered, then onHandlerError. */
  onRequest(request: IncomingRequest): void | Promise<void>;
  onHandlerError?(error: unknown, request: SipRequest): void;
  /** Our own code failed on a received message (a bug); the message was dropped and the stack serves on. */
  onInternalError?(error: unknown): void;
  /** Called for every response sent (first transmission only, not retransmissions), for metrics. */
  onResponse?(method: string, status: number): void;
  /**
   * Product written as `Server` on every response and `User-Agent` on every
   * request sent (RFC 3261 §20.35, §20.41), e.g. `sip-presence/0.1.0`, unless
   * the application gives that header itself. Absent or empty: neither.
   * A value with CR or LF is a TypeError.
   */
  userAgent?: string;
  /** Certificate of the tls and wss listeners, and what connections we open over TLS verify. */
  tls?: SipTlsOptions;
  /** Host for the Via and Contact we generate; default the first non-wildcard listen host. */
  advertisedHost?: string;
  timers?: SipStackTimers;
  /** maxMessageBytes default 64 KiB; bigger datagrams / stream messages / WS frames are dropped. */
  limits?: { maxMessageBytes?: number };
  /** Connection limits of tcp, tls, ws and wss (connection-limits.ts for the defaults and why). */
  connections?: ConnectionLimits;
  /** An inbound connection was refused by a limit, for metrics. */
  onConnectionRefused?(reason: ConnectionRefusedReason): void;
  /** A connection was closed by a limit (timeout, message too large, peer not reading), for metrics. */
  onConnectionClosed?(reason: ConnectionClosedReason): void;
  /**
   * Called for every new request (not retransmissions, ACKs or responses)
   * before a transaction exists: rate limits and overload refusals
   * (request-screen.ts). Absent: every request is let in.
   */
  screen?: RequestScreen;
  /** How many new requests run at once and how long they may wait for it (request-admission.ts). */
  admission?: AdmissionLimits;
  logger?: Logger;
  /**
   * This stack is one of several worker processes sharing the listeners
   * (node:cluster): binds are not exclusive, each UDP datagram is taken by
   * the worker that owns it (worker-sharing.ts), and our request branches
   * name this worker. Absent: the listeners are this process's alone.
   */
  sharing?: WorkerSharing;
  /** Message tracing (HEP, pcap): absent costs nothing; a throwing observer is logged, never fails the message. */
  onWire?: WireObserver;
}

/** Counters for observability; monotonically increasing. */
export interface SipStackCounters {
  requestsReceived: number;
  responsesReceived: number;
  retransmissionsAbsorbed: number;
  /** New requests answered 503 because too many waited or one waited too long. */
  requestsShed: number;
  /** New requests the application's screen dropped or refused (503, stateless) before any work. */
  requestsScreenedOut: number;
  messagesDropped: number;
  requestsSent: number;
  responsesSent: number;
  clientTimeouts: number;
  transportFailures: number;
  /** Received messages dropped because our own code failed on them (a bug, logged at error). */
  internalErrors: number;
  /** Connections to a tls or wss listener whose handshake failed (plain or garbage clients, TLS < 1.2, timeouts). */
  tlsHandshakeFailures: number;
}

/** What the stack holds now, read when metrics are scraped: each figure is kept up to date as it changes, so reading costs nothing. */
export interface SipStackStats {
  /** Open connections by transport (tcp, ws, ...): every connection-oriented transport listened on, 0 included. UDP has none. */
  readonly connections: ReadonlyMap<TransportName, number>;
  /** Server transactions alive, including those kept to absorb retransmissions (Timer J). */
  readonly serverTransactions: number;
  /** Client transactions alive, including those kept to absorb retransmitted responses (Timer K). */
  readonly clientTransactions: number;
  /** Requests we sent still waiting for their final response, by method (e.g. NOTIFY). */
  readonly pendingRequests: ReadonlyMap<string, number>;
  /** Requests received and not yet settled: waiting for admission plus running in the application. */
  readonly requestsInProgress: number;
}

export interface SipStack {
  /** Binds every listener; rejects naming the transport/address on failure, closing what was opened. */
  start(): Promise<BoundListener[]>;
  readonly listeners: readonly BoundListener[];
  /**
   * Our Contact on a transport, e.g. `sip:127.0.0.1:5060;transport=tcp`,
   * optionally with a user part; wss gives `transport=ws` (RFC 7118 §5.2).
   * `sips` (a dialog that must be secure, RFC 3261 §12.1.1): a SIPS URI naming
   * the tls listener (or, for wss, the wss one). Throws when no listener fits.
   */
  contactUri(transport: TransportName, user?: string, sips?: boolean): string;
  /**
   * Serves `certificate` on every tls and wss listener from the next
   * handshake on; established connections keep theirs. Throws, changing
   * nothing, when it is unusable or no such listener exists.
   */
  reloadCertificate(certificate: TlsCertificate): void;
  /**
   * A datagram another worker read from the shared UDP socket of listener
   * `listenerIndex` (the n-th udp listener) and relayed here, its owner:
   * taken as if read here. False when no such listener is running.
   */
  takeDatagram(listenerIndex: number, datagram: Buffer, address: string, port: number): boolean;
  /** Resolves with the final response; 408 on Timer F, 503 on transport failure. Never rejects for network reasons. */
  sendRequest(request: OutgoingRequest, target: SendTarget): Promise<SipResponse>;
  readonly counters: Readonly<SipStackCounters>;
  stats(): SipStackStats;
  /** Closes sockets and connections, cancels every timer, fails pending client transactions with 503. */
  stop(): Promise<void>;
}
