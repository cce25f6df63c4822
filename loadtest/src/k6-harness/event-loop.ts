/**
 * A VU's event loop as k6 runs it: an iteration ends when the function has
 * returned and nothing it started is pending (open WebSockets, timers), even
 * if a promise it returned never settles. An exception in a callback or an
 * unhandled rejection ends the iteration with that error.
 */
export class VuEventLoop {
  private pending = new Map<number, () => void>();
  private nextId = 1;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private checkScheduled = false;

  /** Something that keeps the iteration alive; `cancel` ends it by force on interrupt. Returns its release. */
  hold(cancel: () => void): () => void {
    const id = this.nextId++;
    this.pending.set(id, cancel);
    return () => {
      if (this.pending.delete(id)) this.scheduleCheck();
    };
  }

  /** Runs `callback` as the event loop would: a throw or a rejected promise fails the iteration. */
  dispatch(callback: () => unknown): void {
    try {
      const result = callback();
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.fail(error));
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error: unknown): void {
    if (this.failure === undefined) this.failure = { error };
    this.cancelAll();
  }

  /** Ends everything pending (gracefulStop ran out or the test was aborted). */
  cancelAll(): void {
    for (const cancel of [...this.pending.values()]) cancel();
    this.pending.clear();
    this.scheduleCheck();
  }

  /** Runs one iteration to its end; resolves with its error, if any. */
  async run(fn: () => unknown): Promise<{ error: unknown } | undefined> {
    this.failure = undefined;
    this.dispatch(fn);
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.scheduleCheck();
    });
    this.wake = undefined;
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  /** Checked after the microtasks of the current turn ran: a promise continuation may still open a socket. */
  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      if (this.pending.size === 0 && this.wake !== undefined) this.wake();
    });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
