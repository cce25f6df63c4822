/**
 * Counts per key, bounded by what is counted: a key leaves the map when its
 * count returns to zero, so a flood of one-off sources leaves nothing behind.
 */
export class Tally {
  private readonly counts = new Map<string, number>();

  /** Keys with a non-zero count. */
  get size(): number {
    return this.counts.size;
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  increment(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }

  decrement(key: string): void {
    const count = this.get(key);
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }
}
