import type { Logger } from '@presence/runtime';
import { BoundedFileWriter } from './bounded-file-writer.js';
import type { TraceCounters } from './hep-sender.js';
import { pcapFileHeader, pcapRecords, type StreamPosition } from './pcap-records.js';
import { isDatagram, type TracedMessage } from './traced-message.js';

/** Memory the file queue may hold while the disk lags; beyond it messages are dropped and counted. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Streams whose TCP sequence is remembered; the oldest is forgotten first (a forgotten one restarts at 1). */
const MAX_STREAMS = 10_000;

/**
 * `--sip-trace FILE`: every SIP message into a pcap file (truncated at start)
 * that `sngrep -I FILE` reads, as does Wireshark. Writes go through a bounded
 * queue: a slow or full disk drops (and counts) messages, never stalls SIP.
 */
export class PcapTrace {
  readonly counters: TraceCounters = { traced: 0, dropped: 0 };
  private readonly streams = new Map<string, StreamPosition>();

  private constructor(
    private readonly writer: BoundedFileWriter,
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  static async open(path: string, logger: Logger): Promise<PcapTrace> {
    return new PcapTrace(await BoundedFileWriter.create(path, pcapFileHeader(), MAX_QUEUED_BYTES), path, logger);
  }

  write(message: TracedMessage): void {
    const records = pcapRecords(message, isDatagram(message.transport) ? undefined : this.stream(message));
    for (const record of records) {
      if (this.writer.write(record)) continue;
      this.counters.dropped++;
      if (this.counters.dropped % 1000 === 1) {
        this.logger.warn({ err: this.writer.failure, dropped: this.counters.dropped, file: this.path }, 'SIP trace: message dropped (disk slower than traffic, or the file failed)');
      }
      return;
    }
    this.counters.traced++;
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  /** The sequence position of one direction of a connection; the other direction's seq is this one's ack. */
  private stream(message: TracedMessage): StreamPosition {
    const key = `${message.srcAddress}|${message.srcPort}|${message.dstAddress}|${message.dstPort}`;
    let position = this.streams.get(key);
    if (position === undefined) {
      if (this.streams.size >= MAX_STREAMS) this.streams.delete(this.streams.keys().next().value as string);
      position = { seq: 1, ack: 1 };
      this.streams.set(key, position);
    }
    const reverse = this.streams.get(`${message.dstAddress}|${message.dstPort}|${message.srcAddress}|${message.srcPort}`);
    if (reverse !== undefined) position.ack = reverse.seq;
    return position;
  }
}
