import { open, type FileHandle } from 'node:fs/promises';

/**
 * Appends buffers to a file through a queue of at most `maxQueuedBytes`:
 * one write at a time, everything queued meanwhile joined into the next
 * one. When the disk is slower than the traffic the queue fills and
 * further buffers are refused (the caller counts them), so a slow or full
 * disk never holds memory or time of the SIP path.
 */
export class BoundedFileWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Set when a write failed: what failed is dropped, and so is everything after it. */
  failure: Error | undefined;

  private constructor(
    private readonly file: FileHandle,
    private readonly maxQueuedBytes: number,
  ) {}

  /** Creates (or truncates) the file and writes `header` first. */
  static async create(path: string, header: Buffer, maxQueuedBytes: number): Promise<BoundedFileWriter> {
    const file = await open(path, 'w');
    try {
      await file.write(header);
    } catch (error) {
      await file.close();
      throw error;
    }
    return new BoundedFileWriter(file, maxQueuedBytes);
  }

  /** Queues `parts` as one record, all or nothing; false (nothing queued) when full, failed or closed. */
  write(parts: readonly Buffer[]): boolean {
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    if (this.closed || this.failure !== undefined || this.queuedBytes + size > this.maxQueuedBytes) return false;
    // Copied: the SIP stack's buffers are only valid during its call.
    this.queue.push(Buffer.concat(parts as Buffer[], size));
    this.queuedBytes += size;
    this.writing ??= this.flush();
    return true;
  }

  /** Writes what is queued, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    await this.file.close();
  }

  /** The bytes being written count against the bound until written, so memory stays under it. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const chunk = Buffer.concat(this.queue);
      this.queue = [];
      try {
        await this.file.write(chunk);
      } catch (error) {
        this.failure = error as Error;
        this.queue = [];
        this.queuedBytes = 0;
        break;
      }
      this.queuedBytes -= chunk.length;
    }
    this.writing = undefined;
  }
}
