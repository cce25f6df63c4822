import type { StreamConnection } from './stream-connection.js';
import type { TransportName } from './transport-types.js';

/** Live TCP/WS connections by flow token and by remote address (for reuse, RFC 3261 §18.1.1). */
export class ConnectionRegistry {
  private readonly byToken = new Map<string, StreamConnection>();
  private readonly byRemote = new Map<string, StreamConnection>();
  private readonly remoteKeys = new Map<StreamConnection, string>();
  /** Open connections per transport, kept as they come and go so reading them costs nothing. */
  private readonly perTransport = new Map<TransportName, number>();

  get size(): number {
    return this.byToken.size;
  }

  /** Reports `transport` (one we listen on) even while it has no connection: 0 rather than nothing. */
  expect(transport: TransportName): void {
    if (!this.perTransport.has(transport)) this.perTransport.set(transport, 0);
  }

  /** Open connections by the transport each names itself with. */
  countByTransport(): Map<TransportName, number> {
    return new Map(this.perTransport);
  }

  add(connection: StreamConnection, remoteKey: string): void {
    if (this.byToken.get(connection.token) !== connection) this.count(connection.transport, +1);
    this.byToken.set(connection.token, connection);
    this.byRemote.set(remoteKey, connection);
    this.remoteKeys.set(connection, remoteKey);
  }

  remove(connection: StreamConnection): void {
    if (this.byToken.get(connection.token) !== connection) return;
    this.count(connection.transport, -1);
    this.byToken.delete(connection.token);
    const key = this.remoteKeys.get(connection);
    this.remoteKeys.delete(connection);
    if (key !== undefined && this.byRemote.get(key) === connection) this.byRemote.delete(key);
  }

  byFlowToken(token: string): StreamConnection | undefined {
    const connection = this.byToken.get(token);
    return connection !== undefined && !connection.closed ? connection : undefined;
  }

  byRemoteKey(key: string): StreamConnection | undefined {
    const connection = this.byRemote.get(key);
    return connection !== undefined && !connection.closed ? connection : undefined;
  }

  private count(transport: TransportName, delta: number): void {
    this.perTransport.set(transport, (this.perTransport.get(transport) ?? 0) + delta);
  }

  /** Closes every connection and resolves when all are gone. */
  closeAll(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const connection of this.byToken.values()) {
      waits.push(connection.whenClosed());
      connection.close();
    }
    return Promise.all(waits).then(() => undefined);
  }
}
