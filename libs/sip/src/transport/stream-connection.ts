import type { FlowUser, InternalFlow, TransportSink } from './internal-flow.js';
import type { StreamTransportName } from './transport-types.js';

/**
 * A TCP, TLS, WS or WSS connection; it is its own flow (the token names it).
 * Connections are never closed for idleness: a subscription may use one for
 * hours. They close on error, framing error, peer close or stack stop.
 */
export abstract class StreamConnection implements InternalFlow {
  readonly reliable = true;
  readonly users = new Set<FlowUser>();
  remoteAddress = '';
  remotePort = 0;
  localAddress = '';
  localPort = 0;
  closed = false;
  private closeWaiters: (() => void)[] | undefined;

  constructor(
    readonly transport: StreamTransportName,
    readonly token: string,
    protected readonly sink: TransportSink,
  ) {}

  /** Bytes queued beyond which sends are refused instead of buffered without bound. */
  protected get maxQueuedBytes(): number {
    return 16 * this.sink.maxMessageBytes;
  }

  abstract send(data: Buffer): boolean;

  /** Closes the connection; `onClosed` runs when it is gone. */
  abstract close(): void;

  /** Resolves once the connection is closed. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.closeWaiters ??= []).push(resolve));
  }

  protected onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.connectionClosed(this);
    const waiters = this.closeWaiters;
    this.closeWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
    const users = [...this.users];
    this.users.clear();
    for (const user of users) user.flowFailed();
  }

  protected describe(): string {
    return `${this.remoteAddress}:${this.remotePort}`;
  }
}
