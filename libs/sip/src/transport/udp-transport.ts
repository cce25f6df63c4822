import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { parseWholeMessage } from '../wire/parse-message.js';
import { bindError, type FlowUser, type InternalFlow, type TransportSink } from './internal-flow.js';
import type { BoundListener, ListenSpec } from './transport-types.js';
import { datagramOwner } from './worker-sharing.js';

// Large kernel buffers absorb bursts (thousands of NOTIFYs); the kernel caps them at net.core.[rw]mem_max.
const UDP_BUFFER_BYTES = 4 * 1024 * 1024;
/**
 * Largest UDP payload (65535 less the UDP header, and the IPv4 header for
 * udp4). The kernel refuses a larger datagram with EMSGSIZE only in the send
 * callback, where it used to be a debug line and the request then timed out
 * unseen; refused up front, the transaction fails at once as a transport failure.
 */
export const MAX_DATAGRAM_BYTES = { 4: 65_507, 6: 65_527 } as const;

/**
 * dgram resolves the destination of every send, and dns.lookup answers even
 * an IP literal only on the next tick. Our destinations are nearly always
 * literals (source addresses of flows, Contact URIs), so those are answered
 * at once; dgram still defers the send callback, so nothing else changes.
 */
function lookupLiteralsAtOnce(
  hostname: string,
  options: LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family === 0) lookup(hostname, options, callback);
  else callback(null, hostname, family);
}

/** One UDP socket per listen spec (RFC 3261 §18). */
export class UdpListener {
  private socket: Socket | undefined;
  private boundSpec: BoundListener | undefined;
  /** The address family, fixed by the listen spec; read on every send (isIPv6 is a long regular expression). */
  readonly family: 4 | 6;

  /** `workerOwn`: a worker's own socket beside the shared ones (WorkerSharing.ownUdpPort), never shared. */
  constructor(
    readonly index: number,
    private readonly spec: ListenSpec,
    private readonly sink: TransportSink,
    private readonly workerOwn = false,
  ) {
    this.family = isIPv6(spec.host) ? 6 : 4;
  }

  get bound(): BoundListener {
    if (this.boundSpec === undefined) throw new Error('UDP listener not started');
    return this.boundSpec;
  }

  start(): Promise<BoundListener> {
    const { host, port } = this.spec;
    const socket = createSocket({ type: this.family === 6 ? 'udp6' : 'udp4', lookup: lookupLiteralsAtOnce });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        this.socket = undefined;
        reject(bindError('udp', host, port, err));
      };
      socket.once('error', onError);
      socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
      // Workers share one socket through the cluster primary (node:cluster): not exclusive.
      socket.bind({ address: host, port, exclusive: this.workerOwn || this.sink.sharing === undefined }, () => {
        socket.off('error', onError);
        this.enlargeBuffers(socket);
        socket.on('error', (err) => this.sink.logger?.warn({ err, transport: 'udp' }, 'UDP socket error'));
        this.boundSpec = { transport: 'udp', host, port: socket.address().port };
        resolve(this.boundSpec);
      });
    });
  }

  private enlargeBuffers(socket: Socket): void {
    try {
      socket.setRecvBufferSize(UDP_BUFFER_BYTES);
      socket.setSendBufferSize(UDP_BUFFER_BYTES);
    } catch (err) {
      this.sink.logger?.debug({ err }, 'cannot enlarge UDP socket buffers');
    }
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length > this.sink.maxMessageBytes) {
      this.sink.dropped('datagram exceeds the size limit', 'udp', `${rinfo.address}:${rinfo.port}`);
      return;
    }
    const sharing = this.sink.sharing;
    if (sharing !== undefined) {
      const owner = datagramOwner(msg, sharing.workers);
      if (owner !== undefined && owner !== sharing.worker) {
        sharing.relay(msg, owner, this.index, rinfo.address, rinfo.port);
        return;
      }
    }
    this.take(msg, rinfo.address, rinfo.port);
  }

  /**
   * A datagram this worker owns, read here or relayed by the worker that
   * read it from the shared socket: handled as if read here (replies leave
   * from the same socket, so the same port).
   */
  take(msg: Buffer, address: string, port: number): void {
    try {
      const parsed = parseWholeMessage(msg);
      if (typeof parsed === 'string') {
        if (parsed.length > 0) this.sink.dropped(parsed, 'udp', `${address}:${port}`);
        return;
      }
      this.sink.receive(parsed, new UdpFlow(this, address, port), msg);
    } catch (error) {
      this.sink.internalError(error, 'udp', `${address}:${port}`);
    }
  }

  /** Sends from this socket (symmetric signalling, RFC 3581 §4); false if closed. */
  send(data: Buffer, port: number, address: string): boolean {
    const socket = this.socket;
    if (socket === undefined) return false;
    if (data.length > MAX_DATAGRAM_BYTES[this.family]) {
      this.sink.logger?.warn({ transport: 'udp', bytes: data.length, to: `${address}:${port}` }, 'message too large for a UDP datagram, not sent');
      return false;
    }
    // A send callback costs a tick per datagram, and its only use is a debug line.
    const logger = this.sink.logger;
    const debug = logger !== undefined && logger.isLevelEnabled?.('debug') !== false;
    socket.send(data, port, address, debug ? this.afterSend : undefined);
    return true;
  }

  /** Shared by all sends (no closure per send); the error names address and port. */
  private readonly afterSend = (err: Error | null): void => {
    if (err) this.sink.logger?.debug({ err }, 'UDP send failed');
  };

  stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}

/** A UDP flow: our socket plus the remote address and port. */
export class UdpFlow implements InternalFlow {
  readonly transport = 'udp';
  readonly reliable = false;
  readonly users: Set<FlowUser> | undefined = undefined;

  constructor(
    readonly listener: UdpListener,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}

  get localAddress(): string {
    return this.listener.bound.host;
  }

  get localPort(): number {
    return this.listener.bound.port;
  }

  /** The largest message this flow can carry in one datagram. */
  get maxMessageBytes(): number {
    return MAX_DATAGRAM_BYTES[this.listener.family];
  }

  get token(): string {
    return `udp|${this.listener.index}|${this.remotePort}|${this.remoteAddress}`;
  }

  send(data: Buffer): boolean {
    return this.listener.send(data, this.remotePort, this.remoteAddress);
  }
}
