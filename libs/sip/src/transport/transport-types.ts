/** RFC 3261 §18 (udp, tcp, tls) and RFC 7118 (ws, wss: WebSocket, plain or over TLS). */
export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** The transports carried by one connection each. */
export type StreamTransportName = Exclude<TransportName, 'udp'>;

/** True for the transports that run over TLS. */
export function isSecureTransport(transport: TransportName): boolean {
  return transport === 'tls' || transport === 'wss';
}

export interface ListenSpec {
  transport: TransportName;
  /** IP literal to bind (IPv6 without brackets). */
  host: string;
  /** 0 = ephemeral. */
  port: number;
}

/** A listener after bind: `port` is the actual port. */
export interface BoundListener extends ListenSpec {}

/**
 * The path a message came in on. For TCP, TLS, WS and WSS it is one
 * connection; for UDP it is our socket plus the remote address and port.
 */
export interface Flow {
  readonly transport: TransportName;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Opaque string naming the flow; pass it as `SendTarget.flow` to send on it later. */
  readonly token: string;
}
