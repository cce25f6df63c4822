/**
 * Runs tasks of the same key one after another, different keys concurrently.
 * Pure scheduling, no I/O: used wherever one process must order the changes
 * of one record (a presentity at its owner, an AOR at the registrar).
 * The owner of a partition orders the changes of each presentity this way, so
 * compare-and-set conflicts only happen when ownership overlaps (hand-over).
 * Keys are dropped as soon as their queue drains: memory follows live work only.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every queued task has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
