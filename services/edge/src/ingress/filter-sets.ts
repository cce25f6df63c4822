import type { FilterSet } from '@presence/policy';

/** Distinct filter sets kept for sharing; past it the least recently used is let go (dialogs keep theirs). */
export const MAX_SHARED_FILTER_SETS = 1000;

/**
 * Watchers that send the same filter (a client's fixed "basic status only",
 * say) share one parsed set instead of each holding its own copy: the first
 * set of a digest is kept (bounded, least recently used out) and handed to
 * the next dialogs with that digest.
 */
export class FilterSets {
  private readonly sets = new Map<string, FilterSet>();

  intern(set: FilterSet | undefined): FilterSet | undefined {
    if (set === undefined) return undefined;
    const held = this.sets.get(set.digest);
    if (held !== undefined) this.sets.delete(set.digest);
    else if (this.sets.size >= MAX_SHARED_FILTER_SETS) this.sets.delete(this.sets.keys().next().value!);
    const shared = held ?? set;
    this.sets.set(set.digest, shared);
    return shared;
  }

  get size(): number {
    return this.sets.size;
  }
}
