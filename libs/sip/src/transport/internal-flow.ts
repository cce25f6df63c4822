import type { Logger } from '../logger.js';
import type { ParsedMessage } from '../wire/parse-message.js';
import type { ConnectionClosedReason, ConnectionGate, ResolvedConnectionLimits } from './connection-limits.js';
import type { StreamConnection } from './stream-connection.js';
import type { Flow, StreamTransportName } from './transport-types.js';
import type { WorkerSharing } from './worker-sharing.js';

/** Something bound to a flow that must learn when the flow dies (a pending client transaction). */
export interface FlowUser {
  flowFailed(): void;
}

/** A Flow plus what the stack needs to send on it. */
export interface InternalFlow extends Flow {
  /** Every transport but UDP is reliable (RFC 3261 §17: no retransmissions, Timer J/K = 0). */
  readonly reliable: boolean;
  /** Queues `data` for sending; false if the flow is gone or congested. */
  send(data: Buffer): boolean;
  /** Users to notify when a stream flow closes; undefined for UDP. */
  readonly users: Set<FlowUser> | undefined;
}

/** What transports report to the stack. */
export interface TransportSink {
  readonly maxMessageBytes: number;
  readonly connectionLimits: ResolvedConnectionLimits;
  /** Admits or refuses inbound sockets against the connection limits. */
  readonly gate: ConnectionGate;
  /** A connection was closed by a limit (timeout, size, write queue): counted and logged at debug. */
  limitClosed(reason: ConnectionClosedReason, transport: StreamTransportName, remote: string): void;
  readonly logger: Logger | undefined;
  /** Set in a worker process sharing its listeners with others: binds are shared, datagrams go to their owner. */
  readonly sharing: WorkerSharing | undefined;
  /** `raw` is the message's bytes as received (for tracing); valid during the call only. */
  receive(message: ParsedMessage, flow: InternalFlow, raw: Buffer): void;
  /** A message (or connection) was dropped; counted and logged at debug. */
  dropped(reason: string, transport: string, remote: string): void;
  /** Our own code failed on a received message, which is dropped: logged, counted, reported; the transport carries on. */
  internalError(error: unknown, transport: string, remote: string): void;
  /** A TLS handshake failed (a plain or garbage client, an old TLS version, a timeout): one connection lost, counted and logged at debug. */
  handshakeFailed(transport: StreamTransportName, remote: string, error: Error): void;
  newConnectionToken(transport: StreamTransportName): string;
  connectionOpened(connection: StreamConnection, remoteKey: string): void;
  connectionClosed(connection: StreamConnection): void;
}

export function remoteKey(transport: string, host: string, port: number): string {
  return `${transport}|${host}|${port}`;
}

/** Error naming the listener that failed to bind. */
export function bindError(transport: string, host: string, port: number, cause: unknown): Error {
  const code = (cause as { code?: string } | undefined)?.code;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Error(`cannot listen on ${transport}:${address}: ${code ?? detail}`, { cause });
}
