import { randomBytes } from 'node:crypto';
import { IndexedMinHeap } from '@presence/core';

/**
 * Digest authentication state (AuthStateStore), soft state judged by the
 * clock like Redis `nc:{nonce}` and `authfail:{key}`: every entry lapses
 * at the time given when it was last written, reads treat a lapsed entry as
 * absent, and reap() drops lapsed ones from a heap without scanning, so
 * memory stays bounded by what was written within one TTL. The nonce key
 * lives as long as the process: nothing of it is snapshotted, so nonces
 * issued before a restart are simply stale afterwards.
 */
export class AuthStateTable {
  private key: string | undefined;
  /** Highest nonce count used, by nonce. */
  private readonly counts = new Map<string, number>();
  private readonly countLapses = new IndexedMinHeap();
  /** Failure count, by caller's key. */
  private readonly failures = new Map<string, number>();
  private readonly failureLapses = new IndexedMinHeap();

  get nonceCounts(): number {
    return this.counts.size;
  }

  get failureCounters(): number {
    return this.failures.size;
  }

  /** 32 random bytes in hex, made on first use and the same afterwards. */
  nonceKey(): string {
    this.key ??= randomBytes(32).toString('hex');
    return this.key;
  }

  /** True and records `nc` (lapsing at `lapse`) when above every count still live for `nonce`; false otherwise. */
  acceptNonceCount(nonce: string, nc: number, lapse: number, now: number): boolean {
    const used = this.live(this.counts, this.countLapses, nonce, now);
    if (used !== undefined && nc <= used) return false;
    this.counts.set(nonce, nc);
    this.countLapses.set(nonce, lapse);
    return true;
  }

  /** One more failure under `key`, lapsing at `lapse`; returns the count. */
  countFailure(key: string, lapse: number, now: number): number {
    const count = (this.live(this.failures, this.failureLapses, key, now) ?? 0) + 1;
    this.failures.set(key, count);
    this.failureLapses.set(key, lapse);
    return count;
  }

  failuresOf(key: string, now: number): number {
    return this.live(this.failures, this.failureLapses, key, now) ?? 0;
  }

  clearFailures(key: string): void {
    this.failures.delete(key);
    this.failureLapses.delete(key);
  }

  /** Drops every entry lapsed by `now`. */
  reap(now: number): void {
    reapHeap(this.counts, this.countLapses, now);
    reapHeap(this.failures, this.failureLapses, now);
  }

  private live(values: Map<string, number>, lapses: IndexedMinHeap, key: string, now: number): number | undefined {
    const value = values.get(key);
    if (value === undefined) return undefined;
    if ((lapses.timeOf(key) as number) <= now) {
      values.delete(key);
      lapses.delete(key);
      return undefined;
    }
    return value;
  }
}

function reapHeap(values: Map<string, number>, lapses: IndexedMinHeap, now: number): void {
  for (let at = lapses.peekTime(); at !== undefined && at <= now; at = lapses.peekTime()) {
    const key = lapses.peekKey() as string;
    values.delete(key);
    lapses.delete(key);
  }
}
