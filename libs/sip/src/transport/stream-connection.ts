import type { FlowUser, InternalFlow, TransportSink } from './internal-flow.js';
import type { ConnectionClosedReason } from './connection-limits.js';
import type { StreamTransportName } from './transport-types.js';

/**
 * A TCP, TLS, WS or WSS connection; it is its own flow (the token names it).
 * Once a message came on it, a connection is never closed for idleness: a
 * subscription may use one for hours. It closes on error, framing error, peer
 * close, stack stop, or a limit (connection-limits.ts): no complete message
 * within the idle timeout after an inbound connection opened, a message begun
 * and not finished within the header timeout, a peer that does not read.
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
  private idleTimer: NodeJS.Timeout | undefined;
  private headerTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly transport: StreamTransportName,
    readonly token: string,
    protected readonly sink: TransportSink,
    /** Opened by us (to a Contact): no idle timeout, counted apart by the gate. */
    readonly outbound: boolean,
  ) {
    if (!outbound) this.idleTimer = setTimeout(() => this.closeFor('idle_timeout'), sink.connectionLimits.idleTimeoutMs);
  }

  /** Bytes queued beyond which the peer counts as not reading and is disconnected. */
  protected get maxQueuedBytes(): number {
    return this.sink.connectionLimits.maxQueuedBytes;
  }

  /** A whole message came: the connection has proven itself, idleness no longer closes it. */
  protected messageCompleted(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Part of a message is buffered (true) or none (false): a begun message must end within the header timeout. */
  protected partialMessage(pending: boolean): void {
    if (!pending) {
      clearTimeout(this.headerTimer);
      this.headerTimer = undefined;
    } else if (this.headerTimer === undefined) {
      // Armed once per message, not per chunk: a peer dripping bytes gains nothing.
      this.headerTimer = setTimeout(() => this.closeFor('header_timeout'), this.sink.connectionLimits.headerTimeoutMs);
    }
  }

  /** Closes the connection because a limit bit, and says so. */
  protected closeFor(reason: ConnectionClosedReason): void {
    if (this.closed) return;
    this.sink.limitClosed(reason, this.transport, this.describe());
    this.close();
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
    clearTimeout(this.idleTimer);
    clearTimeout(this.headerTimer);
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
