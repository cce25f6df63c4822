import {
  contentLength,
  HEAD_END,
  leadingCrlfBytes,
  parseHeadBytes,
  setBody,
  type ParsedHead,
  type ParsedMessage,
} from './parse-message.js';

const EMPTY = Buffer.alloc(0);

/** The reason `push` gives for a message whose head parsed but whose size passes the limit (see `oversized`). */
export const MESSAGE_TOO_LARGE = 'Message Too Large';

/**
 * Frames SIP messages on a byte stream (TCP) by Content-Length, which is
 * mandatory on streams (RFC 3261 §18.3, §20.14). Never buffers more than
 * `maxMessageBytes`: `push` returns a reason string when the stream must be
 * closed (oversize, missing/invalid Content-Length, unparsable head).
 */
export class StreamFramer {
  private pending: Buffer = EMPTY;
  private scanFrom = 0;
  private head: ParsedHead | undefined;
  private bodyStart = 0;
  private bodyLength = 0;
  /** The head of the message refused as too large, so a request can still be answered 513 (RFC 3261 §21.5.14). */
  oversized: ParsedHead | undefined;

  constructor(
    private readonly maxMessageBytes: number,
    /** `raw` is the message's bytes (a view into the stream buffer, valid during the call). */
    private readonly onMessage: (message: ParsedMessage, raw: Buffer) => void,
    /** Called for a CRLFCRLF keep-alive ping (RFC 5626 §3.5.1); answer with CRLF. */
    private readonly onPing: () => void,
  ) {}

  /** True while part of a message is buffered. */
  get buffering(): boolean {
    return this.pending.length > 0 || this.head !== undefined;
  }

  push(chunk: Buffer): string | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.head === undefined) {
        const reason = this.readHead();
        if (reason !== undefined) return reason;
        if (this.head === undefined) return undefined;
      }
      const end = this.bodyStart + this.bodyLength;
      if (this.pending.length < end) return undefined;
      const message = this.head as ParsedMessage;
      setBody(message, this.pending, this.bodyStart, end);
      // readHead dropped any leading CRLFs: the message starts at 0.
      const raw = this.pending.subarray(0, end);
      this.pending = end === this.pending.length ? EMPTY : this.pending.subarray(end);
      this.head = undefined;
      this.scanFrom = 0;
      this.onMessage(message, raw);
    }
  }

  private readHead(): string | undefined {
    const skip = leadingCrlfBytes(this.pending, 0);
    if (skip > 0) {
      if (skip >= 4) this.onPing();
      this.pending = this.pending.subarray(skip);
      this.scanFrom = 0;
    }
    if (this.pending.length === 0) return undefined;
    const headEnd = this.pending.indexOf(HEAD_END, Math.max(0, this.scanFrom - 3));
    if (headEnd === -1) {
      if (this.pending.length > this.maxMessageBytes) return 'header section exceeds the size limit';
      this.scanFrom = this.pending.length;
      return undefined;
    }
    const head = parseHeadBytes(this.pending, 0, headEnd);
    if (head === undefined) return 'unparsable message head';
    const length = contentLength(head.headers);
    if (length === undefined) return 'missing Content-Length on a stream';
    if (Number.isNaN(length)) return 'invalid Content-Length';
    if (headEnd + 4 + length > this.maxMessageBytes) {
      this.oversized = head;
      return MESSAGE_TOO_LARGE;
    }
    this.head = head;
    this.bodyStart = headEnd + 4;
    this.bodyLength = length;
    return undefined;
  }
}
