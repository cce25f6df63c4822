import type { Socket } from 'node:net';

/**
 * Limits that keep a flood of connections, or a few hostile ones, from
 * holding the server. Defaults suit a laptop and a carrier edge alike:
 * the counts are far above what one edge serves per address, yet far below
 * what exhausts file descriptors at a default `ulimit -n` raised for service.
 */
export interface ConnectionLimits {
  /** Open connections, all transports, ours included; default 10,000. Inbound ones past it are refused. */
  maxConnections?: number;
  /** Inbound connections from one IP address; default 1,000 (many UAs can share a NAT). */
  maxConnectionsPerAddress?: number;
  /** A message begun on a stream (first byte of its head) must be complete within this; default 10 s (slow-loris). */
  headerTimeoutMs?: number;
  /**
   * An inbound connection that has not completed one message within this
   * after it opened is closed; default 60 s. Once a message came, idleness
   * never closes it: a subscriber may hear nothing but NOTIFYs for hours.
   */
  idleTimeoutMs?: number;
  /** Bytes queued for a peer that does not read, past which it is disconnected; default 16 × maxMessageBytes. */
  maxQueuedBytes?: number;
}

export type ResolvedConnectionLimits = Required<ConnectionLimits>;

/** Why an inbound connection was refused. */
export type ConnectionRefusedReason = 'global_limit' | 'per_address_limit';
/** Why a connection was closed by a limit. */
export type ConnectionClosedReason = 'header_timeout' | 'idle_timeout' | 'message_too_large' | 'write_queue_full';

export const CONNECTION_REFUSED_REASONS: readonly ConnectionRefusedReason[] = ['global_limit', 'per_address_limit'];
export const CONNECTION_CLOSED_REASONS: readonly ConnectionClosedReason[] = ['header_timeout', 'idle_timeout', 'message_too_large', 'write_queue_full'];

export function resolveConnectionLimits(limits: ConnectionLimits | undefined, maxMessageBytes: number): ResolvedConnectionLimits {
  const resolved: ResolvedConnectionLimits = {
    maxConnections: limits?.maxConnections ?? 10_000,
    maxConnectionsPerAddress: limits?.maxConnectionsPerAddress ?? 1_000,
    headerTimeoutMs: limits?.headerTimeoutMs ?? 10_000,
    idleTimeoutMs: limits?.idleTimeoutMs ?? 60_000,
    maxQueuedBytes: limits?.maxQueuedBytes ?? 16 * maxMessageBytes,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`connections.${name} must be a positive integer`);
  }
  if (resolved.maxQueuedBytes < maxMessageBytes) throw new RangeError('connections.maxQueuedBytes must be at least limits.maxMessageBytes');
  return resolved;
}

/**
 * Counts open connections, globally and per remote address, and refuses
 * inbound ones past the limits. Inbound sockets are counted from accept
 * (before a TLS handshake: a handshake costs too). Connections we open
 * ourselves (to deliver a NOTIFY to a Contact) count toward the global figure
 * but are never refused and never count per address: refusing them would
 * lose NOTIFYs, and their number is bounded by our own subscriptions.
 */
export class ConnectionGate {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: ResolvedConnectionLimits,
    private readonly refused: (reason: ConnectionRefusedReason, remote: string) => void,
  ) {}

  /** True if `socket` may stay; else it is destroyed and the refusal reported. An admitted socket is released when it closes. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '';
    const fromAddress = this.perAddress.get(address) ?? 0;
    const reason: ConnectionRefusedReason | undefined =
      this.total >= this.limits.maxConnections ? 'global_limit'
      : fromAddress >= this.limits.maxConnectionsPerAddress ? 'per_address_limit'
      : undefined;
    if (reason !== undefined) {
      socket.destroy();
      this.refused(reason, `${address}:${socket.remotePort ?? 0}`);
      return false;
    }
    this.total++;
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.total--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    return true;
  }

  outboundOpened(): void {
    this.total++;
  }

  outboundClosed(): void {
    this.total--;
  }
}
