import type { StreamConnection } from './stream-connection.js';

/** Live TCP/WS connections by flow token and by remote address (for reuse, RFC 3261 §18.1.1). */
export class ConnectionRegistry {
  private readonly byToken = new Map<string, StreamConnection>();
  private readonly byRemote = new Map<string, StreamConnection>();
  private readonly remoteKeys = new Map<StreamConnection, string>();

  get size(): number {
    return this.byToken.size;
  }

  add(connection: StreamConnection, remoteKey: string): void {
    this.byToken.set(connection.token, connection);
    this.byRemote.set(remoteKey, connection);
    this.remoteKeys.set(connection, remoteKey);
  }

  remove(connection: StreamConnection): void {
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
