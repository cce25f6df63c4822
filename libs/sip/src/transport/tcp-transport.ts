import { connect, createServer, type Server, type Socket } from 'node:net';
import { StreamFramer } from '../wire/stream-framer.js';
import { bindError, remoteKey, type TransportSink } from './internal-flow.js';
import { StreamConnection } from './stream-connection.js';
import type { BoundListener, ListenSpec } from './transport-types.js';

const KEEPALIVE_MS = 30_000;
const PONG = Buffer.from('\r\n', 'latin1');

/** A TCP connection framed by Content-Length (RFC 3261 §18.3). */
export class TcpConnection extends StreamConnection {
  private readonly framer: StreamFramer;

  constructor(
    private readonly socket: Socket,
    sink: TransportSink,
    connecting: boolean,
  ) {
    super('tcp', sink.newConnectionToken('tcp'), sink);
    socket.setNoDelay(true);
    this.framer = new StreamFramer(
      sink.maxMessageBytes,
      (message, raw) => {
        if (!this.closed) sink.receive(message, this, raw);
      },
      () => this.socket.write(PONG), // RFC 5626 §4.4.1 CRLF keep-alive pong
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => sink.logger?.debug({ err, remote: this.describe() }, 'TCP connection error'));
    socket.on('close', () => this.onClosed());
    if (connecting) socket.once('connect', () => this.captureAddresses());
    else this.captureAddresses();
  }

  private captureAddresses(): void {
    this.socket.setKeepAlive(true, KEEPALIVE_MS);
    this.remoteAddress = this.socket.remoteAddress ?? this.remoteAddress;
    this.remotePort = this.socket.remotePort ?? this.remotePort;
    this.localAddress = this.socket.localAddress ?? '';
    this.localPort = this.socket.localPort ?? 0;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let error: string | undefined;
    try {
      error = this.framer.push(chunk);
    } catch (failure) {
      // The framer's place in the stream is lost with the message: the connection goes too.
      this.sink.internalError(failure, 'tcp', this.describe());
      error = 'internal error';
    }
    if (error !== undefined) {
      this.sink.dropped(`${error}; closing connection`, 'tcp', this.describe());
      this.close();
    }
  }

  send(data: Buffer): boolean {
    const socket = this.socket;
    if (this.closed || socket.destroyed || !socket.writable) return false;
    if (socket.writableLength > this.maxQueuedBytes) {
      this.sink.logger?.debug({ remote: this.describe() }, 'TCP connection congested; message not sent');
      return false;
    }
    socket.write(data);
    return true;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Opens an outbound connection; writes are queued by node until it connects. */
  static open(host: string, port: number, sink: TransportSink): TcpConnection {
    const connection = new TcpConnection(connect({ host, port }), sink, true);
    connection.remoteAddress = host;
    connection.remotePort = port;
    sink.connectionOpened(connection, remoteKey('tcp', host, port));
    return connection;
  }
}

/** A TCP server for one listen spec. */
export class TcpListener {
  private server: Server | undefined;
  private boundSpec: BoundListener | undefined;

  constructor(
    private readonly spec: ListenSpec,
    private readonly sink: TransportSink,
  ) {}

  get bound(): BoundListener {
    if (this.boundSpec === undefined) throw new Error('TCP listener not started');
    return this.boundSpec;
  }

  start(): Promise<BoundListener> {
    const { host, port } = this.spec;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        reject(bindError('tcp', host, port, err));
      };
      server.once('error', onError);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.sink.logger?.warn({ err, transport: 'tcp' }, 'TCP server error'));
        const address = server.address();
        this.boundSpec = { transport: 'tcp', host, port: typeof address === 'object' && address ? address.port : port };
        resolve(this.boundSpec);
      });
    });
  }

  private accept(socket: Socket): void {
    const connection = new TcpConnection(socket, this.sink, false);
    this.sink.connectionOpened(connection, remoteKey('tcp', connection.remoteAddress, connection.remotePort));
  }

  /** Stops accepting; existing connections are closed by the stack. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
