interface Waiter<T> {
  resolve(item: T): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Items in arrival order plus a cursor: `next()` hands each item out once, waiting with a deadline. */
export class Inbox<T> {
  readonly items: T[] = [];
  private cursor = 0;
  private readonly waiters: Waiter<T>[] = [];

  constructor(private readonly what: string) {}

  push(item: T): void {
    this.items.push(item);
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      this.cursor++;
      waiter.resolve(item);
    }
  }

  next(timeoutMs: number): Promise<T> {
    if (this.cursor < this.items.length) return Promise.resolve(this.items[this.cursor++] as T);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no ${this.what} within ${timeoutMs} ms (${this.items.length} received so far)`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Rejects every pending `next()` and clears their timers. */
  close(): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${this.what} inbox closed`));
    }
  }
}
