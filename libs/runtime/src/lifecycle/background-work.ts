/**
 * Work a process does after it has answered (a multi-recipient MESSAGE's
 * copies after the 202, an IMDN notice): held in a bounded set so SIGTERM
 * can wait for it within the drain deadline and say how much it had to
 * give up, instead of dropping it unseen.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    /** Most pieces in flight at once; past it `run` refuses (the caller answers 503 or counts the loss). */
    private readonly limit: number,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`background work limit must be a positive integer, not ${limit}`);
  }

  get size(): number {
    return this.pending.size;
  }

  get hasRoom(): boolean {
    return this.pending.size < this.limit;
  }

  /** Starts `work` and holds it until it settles; false, and nothing started, when `limit` pieces are in flight. `work` must not reject. */
  run(work: () => Promise<void>): boolean {
    if (!this.hasRoom) return false;
    const piece = work().finally(() => this.pending.delete(piece));
    this.pending.add(piece);
    return true;
  }

  /** Waits until nothing is in flight or `deadlineMs` passed; resolves with how many pieces were still running (abandoned). */
  async drain(deadlineMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    try {
      // Pieces started while waiting are waited for too, within the same deadline.
      while (this.pending.size > 0) {
        const settled = await Promise.race([Promise.allSettled([...this.pending]).then(() => true), deadline.then(() => false)]);
        if (!settled) break;
      }
    } finally {
      clearTimeout(timer);
    }
    return this.pending.size;
  }
}
