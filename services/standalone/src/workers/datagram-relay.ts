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
/** A record's fixed part: listener index (1 byte), source port (2), source address length (1), datagram length (2). */
const RECORD_HEAD_BYTES = 6;

/** Records for one peer, sent as one frame at the end of this turn of the event loop. */
interface PendingFrame {
  readonly parts: Buffer[];
  bytes: number;
}

/**
 * How the edge workers of one standalone server pass each other UDP
 * datagrams the kernel handed to the wrong one: straight from worker to
 * worker over a loopback socket of each (no JSON, no base64, and not
 * through the primary, whose event loop runs the agent). The datagrams for
 * one peer read in one turn of the event loop (a burst of NOTIFY responses)
 * go as one frame, sent once that turn's reads are done (setImmediate), so
 * a burst costs the two workers one send and one read rather than one per
 * datagram. Each frame starts with the server's random key, so no other
 * local process can inject SIP with a forged source; a frame without it is
 * dropped. The frame: key, then per datagram a record: listener index
 * (1 byte), source port (2 bytes), source address length (1 byte),
 * datagram length (2 bytes), source address (ASCII), the datagram.
 */
export class DatagramRelay {
  private readonly pending = new Map<number, PendingFrame>();
  private flushScheduled = false;

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
        socket.on('message', (frame) => readFrame(frame, key, deliver, dropped));
        resolve(new DatagramRelay(socket, key, socket.address().port));
      });
    });
  }

  /**
   * Queues `datagram` for the worker whose relay listens on `toPort`; it
   * leaves with the others queued for that worker in this turn. False when
   * dropped (too large to carry, the socket's send queue full).
   */
  send(toPort: number, listener: number, datagram: Buffer, address: string, port: number): boolean {
    const record = RECORD_HEAD_BYTES + address.length + datagram.length;
    if (this.key.length + record > MAX_FRAME_BYTES || address.length > 255 || listener > 255) return false;
    if (this.socket.getSendQueueCount() >= MAX_QUEUED_SENDS) return false;
    let frame = this.pending.get(toPort);
    if (frame !== undefined && frame.bytes + record > MAX_FRAME_BYTES) {
      this.sendFrame(toPort, frame);
      frame = undefined;
    }
    if (frame === undefined) {
      frame = { parts: [this.key], bytes: this.key.length };
      this.pending.set(toPort, frame);
    }
    const head = Buffer.allocUnsafe(RECORD_HEAD_BYTES + address.length);
    head.writeUInt8(listener, 0);
    head.writeUInt16BE(port, 1);
    head.writeUInt8(address.length, 3);
    head.writeUInt16BE(datagram.length, 4);
    head.write(address, RECORD_HEAD_BYTES, 'latin1');
    // The datagram is valid during the caller's call only: copied into the frame's parts.
    frame.parts.push(head, Buffer.from(datagram));
    frame.bytes += record;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const [toPort, frame] of this.pending) this.sendFrame(toPort, frame);
  };

  private sendFrame(toPort: number, frame: PendingFrame): void {
    this.pending.delete(toPort);
    try {
      this.socket.send(frame.parts, toPort, '127.0.0.1');
    } catch {
      // closed meanwhile: the datagrams are lost, and their senders retransmit
    }
  }
}

/** Delivers every record of a frame; a frame without the key, or a record cut short, is dropped from there on (counted once). */
function readFrame(frame: Buffer, key: Buffer, deliver: RelayedDatagram, dropped: () => void): void {
  const start = key.length;
  if (frame.length < start + RECORD_HEAD_BYTES || !timingSafeEqual(frame.subarray(0, start), key)) {
    dropped();
    return;
  }
  let at = start;
  while (at < frame.length) {
    if (frame.length < at + RECORD_HEAD_BYTES) return dropped();
    const addressEnd = at + RECORD_HEAD_BYTES + frame.readUInt8(at + 3);
    const end = addressEnd + frame.readUInt16BE(at + 4);
    if (frame.length < end) return dropped();
    deliver(frame.readUInt8(at), frame.subarray(addressEnd, end), frame.toString('latin1', at + RECORD_HEAD_BYTES, addressEnd), frame.readUInt16BE(at + 1));
    at = end;
  }
}
