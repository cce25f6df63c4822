/**
 * Splits a TCP byte stream into SIP messages by Content-Length (RFC 3261
 * §18.3). Works on latin1 text so character offsets are byte offsets.
 * Keep-alive CRLFs between messages (RFC 5626 §4.4.1) are skipped.
 */
export class StreamFramer {
  private buffer = '';

  constructor(private readonly maxMessageChars = 256 * 1024) {}

  /** Feeds a chunk; returns the complete messages it finished. Throws if the stream is not SIP. */
  push(chunk: Buffer): string[] {
    this.buffer += chunk.toString('latin1');
    const messages: string[] = [];
    for (;;) {
      let start = 0;
      while (this.buffer.startsWith('\r\n', start)) start += 2;
      if (start > 0) this.buffer = this.buffer.slice(start);
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) break;
      const length = contentLength(this.buffer.slice(0, headEnd));
      if (length === undefined) throw new Error('stream message without Content-Length');
      const total = headEnd + 4 + length;
      if (this.buffer.length < total) break;
      messages.push(this.buffer.slice(0, total));
      this.buffer = this.buffer.slice(total);
    }
    if (this.buffer.length > this.maxMessageChars) throw new Error(`stream message over ${this.maxMessageChars} bytes`);
    return messages;
  }
}

function contentLength(head: string): number | undefined {
  const match = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
  return match === null ? undefined : Number(match[1]);
}
