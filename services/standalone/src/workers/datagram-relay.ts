import { timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** What a relay delivers: a SIP datagram another worker read from a shared listener, with its source. */
export type RelayedDatagram = (listener: number, datagram: Buffer, address: string, port: number) => void;

/** Length of the key every relay frame starts with. */
export const RELAY_KEY_BYTES = 16;
/** Frames waiting in the socket's send queue past which one more is dropped (the SIP sender retransmits). */
const MAX_QUEUED_SENDS = 1024;
/** The kernel caps it at net.core.rmem_max; a burst of relayed NOTIFY responses must fit. */
const BUFFER_BYTES = 4 * 1024 * 1024;
/** Largest UDP payload over IPv4 loopback. */
const MAX_FRAME_BYTES = 65_507;

/**
 * How the edge workers of one standalone server pass each other UDP
 * datagrams the kernel handed to the wrong one: straight from worker to
 * worker over a loopback socket of each (one datagram per datagram, no
 * JSON, no base64, and not through the primary, whose event loop runs the
 * agent). Each frame starts with the server's random key, so no other
 * local process can inject SIP with a forged source; a frame without it is
 * dropped. The frame: key, listener index (1 byte), source port (2 bytes),
 * source address length (1 byte), source address (ASCII), the datagram.
 */
export class DatagramRelay {
  private constructor(
    private readonly socket: Socket,
    private readonly key: Buffer,
    readonly port: number,
  ) {}

  static open(key: Buffer, deliver: RelayedDatagram, dropped: () => void): Promise<DatagramRelay> {
    if (key.length !== RELAY_KEY_BYTES) throw new RangeError(`relay key must be ${RELAY_KEY_BYTES} bytes`);
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      // exclusive: this socket is this worker's own, never shared through the cluster primary.
      socket.bind({ address: '127.0.0.1', port: 0, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        try {
          socket.setRecvBufferSize(BUFFER_BYTES);
          socket.setSendBufferSize(BUFFER_BYTES);
        } catch {
          // the kernel's default buffers: bursts may lose datagrams, which SIP retransmits
        }
        socket.on('message', (frame) => {
          const parsed = parseFrame(frame, key);
          if (parsed === undefined) dropped();
          else deliver(parsed.listener, parsed.datagram, parsed.address, parsed.port);
        });
        resolve(new DatagramRelay(socket, key, socket.address().port));
      });
    });
  }

  /** Sends `datagram` to the worker whose relay listens on `toPort`; false when dropped (too large, queue full). */
  send(toPort: number, listener: number, datagram: Buffer, address: string, port: number): boolean {
    const header = 4 + address.length;
    if (this.key.length + header + datagram.length > MAX_FRAME_BYTES || address.length > 255 || listener > 255) return false;
    if (this.socket.getSendQueueCount() >= MAX_QUEUED_SENDS) return false;
    const head = Buffer.allocUnsafe(header);
    head.writeUInt8(listener, 0);
    head.writeUInt16BE(port, 1);
    head.writeUInt8(address.length, 3);
    head.write(address, 4, 'latin1');
    this.socket.send([this.key, head, datagram], toPort, '127.0.0.1');
    return true;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

function parseFrame(frame: Buffer, key: Buffer): { listener: number; port: number; address: string; datagram: Buffer } | undefined {
  const start = key.length;
  if (frame.length < start + 4 || !timingSafeEqual(frame.subarray(0, start), key)) return undefined;
  const length = frame.readUInt8(start + 3);
  const body = start + 4 + length;
  if (frame.length < body) return undefined;
  return { listener: frame.readUInt8(start), port: frame.readUInt16BE(start + 1), address: frame.toString('latin1', start + 4, body), datagram: frame.subarray(body) };
}
