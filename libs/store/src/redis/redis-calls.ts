import { StoreClosedError } from '../errors/store-closed-error.js';
import type { StoreLogger } from '../store-logger.js';
import { toStoreError } from './redis-connection.js';

/**
 * How every record class of the Redis store talks to Redis: one place that
 * refuses calls once the store is closed, turns client failures into
 * StoreUnavailableError (see toStoreError), and keeps the follow-up writes
 * nobody waits for, so close() lets them finish.
 */
export class RedisCalls {
  private closed = false;
  private readonly followUps = new Set<Promise<void>>();

  constructor(
    private readonly logger: StoreLogger,
    private readonly retryAfterSeconds: number,
    /** Called before each command (turn-writes.ts: the commands of one event loop turn share a socket write). */
    private readonly beforeCommand: () => void = () => undefined,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one Redis call; `operation` names it in the StoreUnavailableError. */
  async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    this.assertOpen();
    this.beforeCommand();
    try {
      return await command();
    } catch (error) {
      throw toStoreError(error, operation, this.retryAfterSeconds);
    }
  }

  /** A follow-up whose failure leaves only harmless state (an early or orphan index entry): logged, never thrown. */
  async bestEffort(operation: string, command: () => Promise<unknown>): Promise<void> {
    try {
      await this.run(operation, command);
    } catch (error) {
      this.followUpFailed(operation, error);
    }
  }

  /** A write whose failure leaves only harmless state failed: said in the log, nothing thrown. */
  private followUpFailed(operation: string, error: unknown): void {
    this.logger.warn({ err: error, operation }, 'redis store follow-up write failed; the expiry sweep repairs it');
  }

  /** Follow-up writes nobody waits for (bestEffort ones, which never reject); close() waits for them. */
  inBackground(work: Promise<void>): void {
    this.followUps.add(work);
    void work.then(() => this.followUps.delete(work));
  }

  assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** Refuses new calls from now on and waits for the follow-ups under way. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.followUps);
  }
}
