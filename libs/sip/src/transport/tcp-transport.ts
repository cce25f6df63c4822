import { connect, createServer, type Server, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer, type Server as TlsServer, type TlsOptions } from 'node:tls';
import { EMPTY_BODY, type ParsedMessage } from '../wire/parse-message.js';
import { MESSAGE_TOO_LARGE, StreamFramer } from '../wire/stream-framer.js';
import { bindError, remoteKey, type TransportSink } from './internal-flow.js';
import { StreamConnection } from './stream-connection.js';
import { clientTlsOptions } from './tls-settings.js';
import type { BoundListener, ListenSpec } from './transport-types.js';

const KEEPALIVE_MS = 30_000;
const PONG = Buffer.from('\r\n', 'latin1');

/** A connection framed by Content-Length (RFC 3261 §18.3) over TCP, plain or inside TLS (§26.2). */
export class TcpConnection extends StreamConnection {
  private readonly framer: StreamFramer;
  /** Closing after a last answer: nothing more is read. */
  private ending = false;

  constructor(
    private readonly socket: Socket,
    sink: TransportSink,
    transport: 'tcp' | 'tls',
    connecting: boolean,
  ) {
    super(transport, sink.newConnectionToken(transport), sink, connecting);
    socket.setNoDelay(true);
    this.framer = new StreamFramer(
      sink.maxMessageBytes,
      (message, raw) => {
        this.messageCompleted();
        if (!this.closed) sink.receive(message, this, raw);
      },
      () => this.socket.write(PONG), // RFC 5626 §4.4.1 CRLF keep-alive pong
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => sink.logger?.debug({ err, transport, remote: this.describe() }, 'connection error'));
    socket.on('close', () => this.onClosed());
    // A TLS socket knows its addresses once connected; the session is usable once 'secureConnect' came.
    if (connecting) socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => this.captureAddresses());
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
    if (this.closed || this.ending) return;
    let error: string | undefined;
    try {
      error = this.framer.push(chunk);
    } catch (failure) {
      // The framer's place in the stream is lost with the message: the connection goes too.
      this.sink.internalError(failure, this.transport, this.describe());
      error = 'internal error';
    }
    if (error === MESSAGE_TOO_LARGE) return this.refuseTooLarge();
    if (error !== undefined) {
      this.sink.dropped(`${error}; closing connection`, this.transport, this.describe());
      this.close();
      return;
    }
    this.partialMessage(this.framer.buffering);
  }

  /**
   * The rest of the stream cannot be framed without reading the oversized body:
   * a request is answered 513 (RFC 3261 §21.5.14) through the stack, then the
   * connection closes once that answer is written. Nothing more is read.
   */
  private refuseTooLarge(): void {
    const head = this.framer.oversized as ParsedMessage | undefined;
    this.ending = true;
    this.socket.pause();
    this.sink.limitClosed('message_too_large', this.transport, this.describe());
    if (head?.method !== undefined) {
      head.bodyBytes = EMPTY_BODY;
      head.framingError = MESSAGE_TOO_LARGE;
      this.sink.receive(head, this, Buffer.alloc(0));
    }
    this.socket.end(() => this.socket.destroy());
  }

  send(data: Buffer): boolean {
    const socket = this.socket;
    if (this.closed || socket.destroyed || !socket.writable) return false;
    if (socket.writableLength + data.length > this.maxQueuedBytes) {
      // A peer that does not read would hold our memory for ever: it goes.
      this.closeFor('write_queue_full');
      return false;
    }
    socket.write(data);
    return true;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Opens an outbound TCP connection; writes are queued by node until it connects. */
  static open(host: string, port: number, sink: TransportSink): TcpConnection {
    return TcpConnection.opened(new TcpConnection(connect({ host, port }), sink, 'tcp', true), host, port, sink);
  }

  /** Opens an outbound TLS connection (see SipTlsOptions.trustedCa); writes wait for the handshake. */
  static openTls(host: string, port: number, sink: TransportSink, trustedCa: string | Buffer | undefined): TcpConnection {
    const socket = connectTls({ host, port, ...clientTlsOptions(host, trustedCa) });
    return TcpConnection.opened(new TcpConnection(socket, sink, 'tls', true), host, port, sink);
  }

  private static opened(connection: TcpConnection, host: string, port: number, sink: TransportSink): TcpConnection {
    connection.remoteAddress = host;
    connection.remotePort = port;
    sink.connectionOpened(connection, remoteKey(connection.transport, host, port));
    return connection;
  }
}

/** A TCP server for one listen spec; a TLS server when given TLS options (transport tls). */
export class TcpListener {
  private server: Server | TlsServer | undefined;
  private boundSpec: BoundListener | undefined;
  private readonly transport: 'tcp' | 'tls';

  constructor(
    private readonly spec: ListenSpec,
    private readonly sink: TransportSink,
    private tls?: TlsOptions,
  ) {
    this.transport = tls === undefined ? 'tcp' : 'tls';
  }

  get bound(): BoundListener {
    if (this.boundSpec === undefined) throw new Error(`${this.transport.toUpperCase()} listener not started`);
    return this.boundSpec;
  }

  start(): Promise<BoundListener> {
    const { host, port } = this.spec;
    const transport = this.transport;
    const server = this.createServer();
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        reject(bindError(transport, host, port, err));
      };
      server.once('error', onError);
      server.listen({ host, port, exclusive: this.sink.sharing === undefined }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.sink.logger?.warn({ err, transport }, 'server error'));
        const address = server.address();
        this.boundSpec = { transport, host, port: typeof address === 'object' && address ? address.port : port };
        resolve(this.boundSpec);
      });
    });
  }

  private createServer(): Server | TlsServer {
    if (this.tls === undefined) return createServer((socket) => this.sink.gate.admit(socket) && this.accept(socket));
    // 'secureConnection': the handshake is done; a failed one costs that connection only.
    const server = createTlsServer(this.tls, (socket) => this.accept(socket));
    // Limits apply from accept: a handshake holds a socket too.
    server.on('connection', (socket: Socket) => this.sink.gate.admit(socket));
    server.on('tlsClientError', (err, socket) => this.sink.handshakeFailed('tls', `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`, err));
    return server;
  }

  /** New TLS connections present `options` (a new certificate); established ones keep theirs. */
  setSecureContext(options: TlsOptions): void {
    if (this.transport !== 'tls') return;
    this.tls = options;
    if (this.server !== undefined && 'setSecureContext' in this.server) this.server.setSecureContext(options);
  }

  private accept(socket: Socket): void {
    if (socket.destroyed) return;
    const connection = new TcpConnection(socket, this.sink, this.transport, false);
    this.sink.connectionOpened(connection, remoteKey(this.transport, connection.remoteAddress, connection.remotePort));
  }

  /** Stops accepting; existing connections are closed by the stack. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
