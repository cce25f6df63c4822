/** Distinct failure kinds kept apart; the rest are counted together so a storm of odd answers stays bounded. */
const MAX_KINDS = 16;
const OTHER = 'other';

/** A final answer the bench did not expect, as the sender saw it. */
export interface FailedAnswer {
  readonly status: number;
  readonly reason: string;
  readonly retryAfter?: string;
}

/**
 * Counts a phase's failures by what they were — each status with its
 * reason phrase (and Retry-After, which tells overload from a fault), a
 * client-side timeout, a stored message that never arrived — so a run
 * with errors says why instead of leaving one number.
 */
export class FailureTally {
  private readonly counts = new Map<string, number>();

  answer(failed: FailedAnswer): void {
    const retry = failed.retryAfter === undefined ? '' : ` (Retry-After ${failed.retryAfter})`;
    this.add(`${failed.status} ${failed.reason}${retry}`.trim());
  }

  add(kind: string, count = 1): void {
    if (count <= 0) return;
    const key = this.counts.has(kind) || this.counts.size < MAX_KINDS ? kind : OTHER;
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Kind → count, most frequent first. */
  toRecord(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
}

/** `503 Service Unavailable ×298, no answer in 5 s ×2`: a breakdown on one line. */
export function describeFailures(failures: Readonly<Record<string, number>>): string {
  return Object.entries(failures)
    .map(([kind, count]) => `${kind} ×${count}`)
    .join(', ');
}
