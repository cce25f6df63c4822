import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import type { Logger } from '@presence/runtime';
import { encodeHep, type HepIdentity } from './hep-packet.js';
import type { TracedMessage } from './traced-message.js';

/** Datagrams handed to the kernel but not yet sent, beyond which copies are dropped rather than queued. */
const MAX_QUEUED_SENDS = 1024;

export interface TraceCounters {
  /** Messages handed on (sent to the collector, or queued for the file). */
  traced: number;
  /** Messages not traced: queue full, too big, or the collector or disk failing. */
  dropped: number;
}

/**
 * Sends a HEP3 copy of each message to a Homer/heplify collector over UDP,
 * fire and forget: nothing waits for the collector, a full send queue drops
 * (and counts) instead of growing, and a failing send is counted, never
 * thrown into the SIP path.
 */
export class HepSender {
  readonly counters: TraceCounters = { traced: 0, dropped: 0 };

  private constructor(
    private readonly socket: Socket,
    private readonly address: string,
    private readonly port: number,
    private readonly identity: HepIdentity,
    private readonly logger: Logger,
  ) {
    socket.on('error', (error) => this.failed(error));
  }

  /** Resolves the collector once (a name is looked up at start, not per message) and binds a socket of its family. */
  static async open(host: string, port: number, identity: HepIdentity, logger: Logger): Promise<HepSender> {
    const { address } = await lookup(host);
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.unref();
    return new HepSender(socket, address, port, identity, logger);
  }

  send(message: TracedMessage): void {
    const packet = encodeHep(message, this.identity);
    if (packet === undefined || this.socket.getSendQueueCount() >= MAX_QUEUED_SENDS) {
      this.drop('HEP copy dropped (message over 64 KiB, or the send queue is full)');
      return;
    }
    this.socket.send(packet, this.port, this.address);
    this.counters.traced++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private failed(error: Error): void {
    this.drop('HEP send failed', error);
  }

  /** Counted always; logged on the first drop and every 1000th after, so a lasting problem shows without flooding. */
  private drop(reason: string, error?: Error): void {
    this.counters.dropped++;
    if (this.counters.dropped % 1000 === 1) this.logger.warn({ err: error, dropped: this.counters.dropped, collector: `${this.address}:${this.port}` }, reason);
  }
}
