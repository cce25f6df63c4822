/** What went wrong (or had to be redone) during the run, each with its time. */
export type TroubleKind = 'publish-failed' | 'subscribe-failed' | 'notify-delayed' | 'terminated' | 'resubscribed' | 'backwards';

/** Kinds that mean service was degraded (a re-subscription is the cure, not the illness). */
const DEGRADING: ReadonlySet<TroubleKind> = new Set(['publish-failed', 'subscribe-failed', 'notify-delayed', 'backwards']);

/** A violation of an invariant, kept whole for the report (bounded). */
export interface Violation {
  readonly atMs: number;
  readonly invariant: string;
  readonly detail: string;
}

export interface WindowSummary {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly counts: Readonly<Record<TroubleKind, number>>;
  readonly publishFailuresByCode: Readonly<Record<string, number>>;
  readonly subscribeFailuresByCode: Readonly<Record<string, number>>;
  readonly publishesOk: number;
  /** First to last degrading event in the window; 0 when none. */
  readonly degradedSeconds: number;
  /** From the window's start to its last degrading event: when everything worked again; 0 when nothing degraded. */
  readonly recoveredAfterSeconds: number;
}

const MAX_VIOLATIONS_KEPT = 50;

interface Mark {
  readonly name: string;
  readonly startMs: number;
}

interface Trouble {
  readonly atMs: number;
  readonly kind: TroubleKind;
  readonly code?: string;
}

/**
 * The run's timeline: marks where each disturbance (and the quiet baseline
 * and final settle) began, the troubles with their times, and the invariant
 * violations. A failed request belongs to the window it was sent in (a
 * timeout is known 10 s later), a delayed NOTIFY to the window in which it
 * became late (its PUBLISH's send time plus the threshold), so a PUBLISH sent
 * just before the next disturbance does not stretch the previous window.
 */
export class ChaosLedger {
  private readonly marks: Mark[] = [];
  private readonly troubles: Trouble[] = [];
  private readonly oks: number[] = [];
  readonly violations: Violation[] = [];
  violationCount = 0;

  mark(name: string, atMs = Date.now()): void {
    this.marks.push({ name, startMs: atMs });
  }

  trouble(kind: TroubleKind, atMs = Date.now(), code?: string | number): void {
    this.troubles.push(code === undefined ? { atMs, kind } : { atMs, kind, code: String(code) });
  }

  publishOk(atMs = Date.now()): void {
    this.oks.push(atMs);
  }

  violate(invariant: string, detail: string, atMs = Date.now()): void {
    this.violationCount++;
    if (this.violations.length < MAX_VIOLATIONS_KEPT) this.violations.push({ atMs, invariant, detail });
  }

  windows(endMs = Date.now()): WindowSummary[] {
    return this.marks.map((mark, i) => {
      const until = this.marks[i + 1]?.startMs ?? endMs;
      const inside = (t: number): boolean => t >= mark.startMs && t < until;
      const counts = { 'publish-failed': 0, 'subscribe-failed': 0, 'notify-delayed': 0, terminated: 0, resubscribed: 0, backwards: 0 };
      const byCode: Record<string, number> = {};
      const subscribeByCode: Record<string, number> = {};
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const t of this.troubles) {
        if (!inside(t.atMs)) continue;
        counts[t.kind]++;
        const codes = t.kind === 'publish-failed' ? byCode : t.kind === 'subscribe-failed' ? subscribeByCode : undefined;
        if (codes !== undefined) codes[t.code ?? '?'] = (codes[t.code ?? '?'] ?? 0) + 1;
        if (DEGRADING.has(t.kind)) {
          first = Math.min(first, t.atMs);
          last = Math.max(last, t.atMs);
        }
      }
      const degraded = Number.isFinite(first);
      return {
        name: mark.name,
        startMs: mark.startMs,
        endMs: until,
        counts,
        publishFailuresByCode: byCode,
        subscribeFailuresByCode: subscribeByCode,
        publishesOk: this.oks.filter(inside).length,
        degradedSeconds: degraded ? (last - first) / 1000 : 0,
        recoveredAfterSeconds: degraded ? (last - mark.startMs) / 1000 : 0,
      };
    });
  }
}
