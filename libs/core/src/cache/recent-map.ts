/** An optional second bound: the summed weight of the entries (e.g. bytes), so a few large values cannot outgrow what many small ones may use. */
export interface WeightBudget<K, V> {
  readonly max: number;
  weigh(key: K, value: V): number;
}

/**
 * A map that keeps at most `capacity` entries, and with a weight budget at
 * most `max` weight, dropping the least recently used: a Map iterates in
 * insertion order, so re-inserting on every use keeps the oldest entry first.
 * A value heavier than the whole budget is not kept at all (it would flush
 * everything else).
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly capacity: number,
    private readonly budget?: WeightBudget<K, V>,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RecentMap capacity must be a positive integer, got ${capacity}`);
    if (budget !== undefined && !(budget.max > 0)) throw new RangeError(`RecentMap weight budget must be positive, got ${budget.max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Summed weight of the entries (0 without a budget). */
  get weight(): number {
    return this.totalWeight;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.budget?.weigh(key, value) ?? 0;
    if (this.budget !== undefined && weight > this.budget.max) return;
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    while (this.entries.size > this.capacity || (this.budget !== undefined && this.totalWeight > this.budget.max)) {
      this.delete(this.entries.keys().next().value as K);
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.totalWeight = 0;
  }
}
