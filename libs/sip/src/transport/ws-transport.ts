import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TlsOptions } from 'node:tls';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { parseWholeMessage } from '../wire/parse-message.js';
import { formatHost } from '../wire/host-port.js';
import { bindError, remoteKey, type TransportSink } from './internal-flow.js';
import { StreamConnection } from './stream-connection.js';
import { clientTlsOptions } from './tls-settings.js';
import type { BoundListener, ListenSpec } from './transport-types.js';

/** RFC 7118 §4.1: the WebSocket subprotocol for SIP. */
export const SIP_SUBPROTOCOL = 'sip';

/** One WebSocket connection, plain (ws) or over TLS (wss); each WS message carries one SIP message (RFC 7118 §5). */
export class WsConnection extends StreamConnection {
  private queue: Buffer[] | undefined;

  constructor(
    private readonly ws: WebSocket,
    sink: TransportSink,
    transport: 'ws' | 'wss',
    outbound: boolean,
  ) {
    super(transport, sink.newConnectionToken(transport), sink, outbound);
    if (ws.readyState === WebSocket.CONNECTING) this.queue = [];
    ws.on('message', (data) => this.onMessage(data));
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        // The frame is never read in full, so nothing can be answered (RFC 7118 leaves it to the WebSocket close, 1009).
        sink.dropped('WebSocket message exceeds the size limit; closing connection', transport, this.describe());
        sink.limitClosed('message_too_large', transport, this.describe());
      } else sink.logger?.debug({ err, transport, remote: this.describe() }, 'WebSocket error');
    });
    ws.on('close', () => this.onClosed());
    ws.on('open', () => this.flush());
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = undefined;
    if (queue !== undefined) for (const data of queue) this.send(data);
  }

  private onMessage(data: RawData): void {
    if (this.closed) return;
    this.messageCompleted();
    try {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const parsed = parseWholeMessage(buf);
      if (typeof parsed === 'string') {
        if (parsed.length > 0) this.sink.dropped(parsed, this.transport, this.describe());
        return;
      }
      this.sink.receive(parsed, this, buf);
    } catch (error) {
      this.sink.internalError(error, this.transport, this.describe());
    }
  }

  send(data: Buffer): boolean {
    if (this.closed) return false;
    if (this.queue !== undefined) {
      this.queue.push(data);
      return true;
    }
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.ws.bufferedAmount + data.length > this.maxQueuedBytes) {
      // A peer that does not read would hold our memory for ever: it goes.
      this.closeFor('write_queue_full');
      return false;
    }
    // RFC 7118 §5.1: a message with a body that is not UTF-8 text (any MESSAGE body) goes in a binary frame; a text frame must be UTF-8.
    this.ws.send(data, { binary: !isUtf8(data) });
    return true;
  }

  close(): void {
    this.ws.terminate();
  }

  setAddresses(socket: { remoteAddress?: string; remotePort?: number; localAddress?: string; localPort?: number }): void {
    this.remoteAddress = socket.remoteAddress ?? this.remoteAddress;
    this.remotePort = socket.remotePort ?? this.remotePort;
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
  }

  /** Opens a client connection to ws://host:port with subprotocol `sip`. */
  static open(host: string, port: number, sink: TransportSink): WsConnection {
    return WsConnection.openUrl('ws', host, port, sink, {});
  }

  /** Opens a client connection to wss://host:port (see SipTlsOptions.trustedCa for what is verified). */
  static openSecure(host: string, port: number, sink: TransportSink, trustedCa: string | Buffer | undefined): WsConnection {
    return WsConnection.openUrl('wss', host, port, sink, clientTlsOptions(host, trustedCa));
  }

  private static openUrl(scheme: 'ws' | 'wss', host: string, port: number, sink: TransportSink, tls: object): WsConnection {
    const ws = new WebSocket(`${scheme}://${formatHost(host)}:${port}`, SIP_SUBPROTOCOL, {
      ...tls,
      maxPayload: sink.maxMessageBytes,
      perMessageDeflate: false,
    });
    const connection = new WsConnection(ws, sink, scheme, true);
    connection.remoteAddress = host;
    connection.remotePort = port;
    ws.once('upgrade', (response: IncomingMessage) => connection.setAddresses(response.socket));
    sink.connectionOpened(connection, remoteKey(scheme, host, port));
    return connection;
  }
}

/** True if the client offered the `sip` subprotocol (tokens are case-sensitive, RFC 6455 §4.1). */
function offersSip(header: string | undefined): boolean {
  if (header === undefined) return false;
  for (const token of header.split(',')) if (token.trim() === SIP_SUBPROTOCOL) return true;
  return false;
}

/** A WebSocket server for one listen spec, bound to the given host only; over TLS (wss) when given TLS options. */
export class WsListener {
  private http: Server | HttpsServer | undefined;
  private wss: WebSocketServer | undefined;
  private boundSpec: BoundListener | undefined;
  private readonly transport: 'ws' | 'wss';

  constructor(
    private readonly spec: ListenSpec,
    private readonly sink: TransportSink,
    private tls?: TlsOptions,
  ) {
    this.transport = tls === undefined ? 'ws' : 'wss';
  }

  get bound(): BoundListener {
    if (this.boundSpec === undefined) throw new Error(`${this.transport.toUpperCase()} listener not started`);
    return this.boundSpec;
  }

  /** New TLS connections present `options` (a new certificate); established ones keep theirs. WSS listeners only. */
  setSecureContext(options: TlsOptions): void {
    if (this.transport !== 'wss') return;
    this.tls = options;
    if (this.http !== undefined && 'setSecureContext' in this.http) this.http.setSecureContext(options);
  }

  private createServer(): Server | HttpsServer {
    const refuse = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(426, { Connection: 'close', Upgrade: 'websocket' });
      res.end();
    };
    // An HTTP upgrade head must come within the header timeout (slow-loris); node checks it every interval.
    const timeout = this.sink.connectionLimits.headerTimeoutMs;
    const http = { headersTimeout: timeout, requestTimeout: timeout, connectionsCheckingInterval: Math.min(1000, Math.ceil(timeout / 4)) };
    const server = this.tls === undefined ? createServer(http, refuse) : createHttpsServer({ ...this.tls, ...http }, refuse);
    // Limits apply from accept, before a TLS handshake.
    server.on('connection', (socket: Socket) => this.sink.gate.admit(socket));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.refuseHttp(err, socket));
    if (this.tls === undefined) return server;
    server.on('tlsClientError', (err, socket) => this.sink.handshakeFailed('wss', `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`, err));
    return server;
  }

  /**
   * What node does on its own for a bad or late HTTP head, plus counting the
   * slow-loris case like the stream transports do: a listener on
   * 'clientError' takes over answering from node.
   */
  private refuseHttp(err: NodeJS.ErrnoException, socket: Duplex): void {
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) {
      const remote = socket instanceof Socket ? `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}` : '';
      this.sink.limitClosed('header_timeout', this.transport, remote);
    }
    if (socket.writable) {
      const status = timedOut ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  }

  start(): Promise<BoundListener> {
    const { host, port } = this.spec;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.sink.maxMessageBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
    const transport = this.transport;
    const http = this.createServer();
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.http = http;
    this.wss = wss;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.http = undefined;
        this.wss = undefined;
        wss.close();
        reject(bindError(transport, host, port, err));
      };
      http.once('error', onError);
      http.listen({ host, port, exclusive: this.sink.sharing === undefined }, () => {
        http.off('error', onError);
        http.on('error', (err) => this.sink.logger?.warn({ err, transport }, 'WebSocket server error'));
        const address = http.address();
        this.boundSpec = { transport, host, port: typeof address === 'object' && address ? address.port : port };
        resolve(this.boundSpec);
      });
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const wss = this.wss;
    socket.on('error', () => socket.destroy());
    const remote = `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`;
    if (wss === undefined || !offersSip(req.headers['sec-websocket-protocol'])) {
      // RFC 7118 §4.1: the handshake must negotiate the "sip" subprotocol.
      this.sink.dropped('WebSocket upgrade without subprotocol sip refused', this.transport, remote);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new WsConnection(ws, this.sink, this.transport, false);
      connection.setAddresses(req.socket);
      this.sink.connectionOpened(connection, remoteKey(this.transport, connection.remoteAddress, connection.remotePort));
    });
  }

  /** Stops accepting; existing connections are closed by the stack. */
  stop(): Promise<void> {
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    wss?.close();
    if (http === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }
}
