import { frozenCopy, type Binding } from '@presence/core';
import { IndexedMinHeap } from '@presence/core';

/**
 * Location bindings per AOR (RFC 3261 §10.3), soft state like Redis
 * `loc:{aor}` with TTL = latest binding expiry: the whole set vanishes once
 * every binding has expired. A heap of those times lets reap() drop lapsed
 * sets without scanning; reads also check lazily.
 */
export class BindingTable {
  private readonly sets = new Map<string, readonly Binding[]>();
  private readonly lapses = new IndexedMinHeap();

  get size(): number {
    return this.sets.size;
  }

  /** Bindings with expiresAt > now; the set is dropped first when it lapsed by `clockNow`. */
  read(aor: string, now: number, clockNow: number): Binding[] {
    const bindings = this.sets.get(aor);
    if (bindings === undefined) return [];
    if ((this.lapses.timeOf(aor) as number) <= clockNow) {
      this.drop(aor);
      return [];
    }
    return bindings.filter((binding) => binding.expiresAt > now);
  }

  /** Replaces the set; empty or already lapsed by `clockNow` deletes it. */
  replace(aor: string, next: readonly Binding[], clockNow: number): void {
    let lapse = -Infinity;
    for (const binding of next) if (binding.expiresAt > lapse) lapse = binding.expiresAt;
    if (lapse <= clockNow) {
      this.drop(aor);
      return;
    }
    this.sets.set(aor, Object.freeze(next.map((binding) => frozenCopy(binding))));
    this.lapses.set(aor, lapse);
  }

  /** Drops every set lapsed by `clockNow`; returns how many. */
  reap(clockNow: number): number {
    let dropped = 0;
    for (let at = this.lapses.peekTime(); at !== undefined && at <= clockNow; at = this.lapses.peekTime()) {
      this.drop(this.lapses.peekKey() as string);
      dropped++;
    }
    return dropped;
  }

  entries(): IterableIterator<[string, readonly Binding[]]> {
    return this.sets.entries();
  }

  private drop(aor: string): void {
    this.sets.delete(aor);
    this.lapses.delete(aor);
  }
}
