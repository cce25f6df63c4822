import { RecentMap, type AuthStateStore, type Clock } from '@presence/core';

/** When failed authentications lock a source or a user out (brute-force defence). */
export interface LockoutPolicy {
  /** Failures that lock a key out; the next attempt is refused without a challenge. */
  readonly maxFailures: number;
  /** How long a key stays locked after its last failure (the store's counter lives that long). */
  readonly lockoutMs: number;
}

export interface FailureLedgerOptions {
  /** How long a count read from the store is trusted here. */
  readonly recheckMs?: number;
  /** Keys whose counts are kept here; beyond it the least recently used are forgotten. */
  readonly capacity?: number;
}

interface CachedCount {
  readonly failures: Promise<number>;
  readonly until: number;
}

/**
 * Failed authentications per key (`src:<address>`, `user:<aor>`), counted
 * cluster-wide in the AuthStateStore, with the lockout decision. The store's
 * count of a key is kept here for `recheckMs` (a flood from one source costs
 * one store read per second, not one per packet), in a bounded map; reads of
 * one key in flight are shared. A failure counted here updates the copy at
 * once; failures counted by other edges are seen within `recheckMs`.
 */
export class FailureLedger {
  private readonly counts: RecentMap<string, CachedCount>;
  private readonly recheckMs: number;

  constructor(
    private readonly store: Pick<AuthStateStore, 'countAuthFailure' | 'authFailures' | 'clearAuthFailures'>,
    private readonly clock: Clock,
    readonly policy: LockoutPolicy,
    options: FailureLedgerOptions = {},
  ) {
    this.recheckMs = options.recheckMs ?? 1000;
    this.counts = new RecentMap(options.capacity ?? 10_000);
  }

  async isLockedOut(key: string): Promise<boolean> {
    return (await this.failures(key)) >= this.policy.maxFailures;
  }

  /** Counts a failure of `key`; resolves with its count. */
  async recordFailure(key: string): Promise<number> {
    const count = await this.store.countAuthFailure(key, this.policy.lockoutMs);
    this.remember(key, Promise.resolve(count));
    return count;
  }

  /** Forgets `key`'s failures after a success; no store write when none are known. */
  async forget(key: string): Promise<void> {
    if ((await this.failures(key)) === 0) return;
    await this.store.clearAuthFailures(key);
    this.remember(key, Promise.resolve(0));
  }

  private failures(key: string): Promise<number> {
    const cached = this.counts.get(key);
    if (cached !== undefined && cached.until > this.clock.now()) return cached.failures;
    const failures = this.store.authFailures(key);
    this.remember(key, failures);
    // A failed read is not kept: the next request asks the store again.
    failures.catch(() => {
      if (this.counts.get(key)?.failures === failures) this.counts.delete(key);
    });
    return failures;
  }

  private remember(key: string, failures: Promise<number>): void {
    this.counts.set(key, { failures, until: this.clock.now() + this.recheckMs });
  }
}
