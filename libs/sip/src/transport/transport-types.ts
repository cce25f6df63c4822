export type TransportName = 'udp' | 'tcp' | 'ws';

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
 * The path a message came in on. For TCP and WS it is one connection; for
 * UDP it is our socket plus the remote address and port.
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
