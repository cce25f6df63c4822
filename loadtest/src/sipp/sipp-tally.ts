import { LatencyHistogram } from '../stats/latency-histogram.js';
import { countCode, emptyStepCounts, type StepCounts } from '../stats/phase-stats.js';
import type { SippLogLine } from './sipp-log.js';

/**
 * What the SIPp processes logged, folded into the native generator's
 * figures. Watchers are keyed "<process>:<call number>" (a SIPp call is one
 * subscription); each remembers the newest publish stamp it has seen, so the
 * drain can tell which ones are stale. Pure: lines in, counts out.
 */
export class SippTally {
  /** Newest publish stamp each watcher has shown, and the presentity it watches. */
  private readonly seen = new Map<string, { presentity: string; stampMs: number }>();
  /** SIP-ETag of each presentity's publication and the send time of its last accepted PUBLISH. */
  private readonly publications = new Map<string, { etag: string; sentMs: number }>();
  private step = new StepTally(0, Number.POSITIVE_INFINITY);

  /** A new step: NOTIFYs stamped before `windowStartMs` are late; received after `windowEndMs`, outside the window. */
  startStep(windowStartMs: number, windowEndMs: number): void {
    this.step = new StepTally(windowStartMs, windowEndMs);
  }

  etagOf(presentity: string): string | undefined {
    return this.publications.get(presentity)?.etag;
  }

  /** Watcher lines of process `process`. */
  addWatcherLines(process: number, lines: readonly SippLogLine[]): void {
    for (const line of lines) {
      if (line.kind !== 'notify') continue;
      const key = `${process}:${line.call}`;
      const previous = this.seen.get(key);
      this.seen.set(key, { presentity: line.presentity, stampMs: Math.max(previous?.stampMs ?? 0, line.publishedMs ?? 0) });
      this.step.notify(key, line.receivedMs, line.publishedMs);
    }
  }

  addPublisherLines(lines: readonly SippLogLine[]): void {
    for (const line of lines) {
      if (line.kind === 'accepted') {
        this.publications.set(line.presentity, { etag: line.etag, sentMs: line.sentMs });
        this.step.accepted(line.presentity);
      } else if (line.kind === 'rejected') {
        this.step.rejected(line.code);
      }
    }
  }

  /** Running totals of the current step, for the progress line. */
  progress(): { accepted: number; notifies: number } {
    return { accepted: this.step.acceptedCount, notifies: this.step.notifies };
  }

  /** Watchers that have received at least one NOTIFY (the initial one, in the subscribe phase). */
  watchersNotified(): number {
    return this.seen.size;
  }

  /** Watchers of presentities that published in this step, and those that have not shown its last accepted state. */
  staleness(): { checked: number; stale: number } {
    let checked = 0;
    let stale = 0;
    for (const { presentity, stampMs } of this.seen.values()) {
      const published = this.publications.get(presentity);
      if (published === undefined || !this.step.published.has(presentity)) continue;
      checked++;
      if (stampMs < published.sentMs) stale++;
    }
    return { checked, stale };
  }

  /**
   * The step's counts; SIPp's failed calls and timeouts come from its
   * statistics. NOTIFYs owed: each accepted PUBLISH to each watcher of its
   * presentity that has shown a NOTIFY (a subscription that failed is owed nothing).
   */
  counts(failedCalls: number, timeouts: number): { counts: StepCounts; latency: LatencyHistogram } {
    const s = this.step;
    const { checked, stale } = this.staleness();
    const watchersOf = new Map<string, number>();
    for (const { presentity } of this.seen.values()) watchersOf.set(presentity, (watchersOf.get(presentity) ?? 0) + 1);
    let owed = 0;
    for (const [presentity, accepted] of s.acceptedBy) owed += accepted * (watchersOf.get(presentity) ?? 0);
    const counts: StepCounts = {
      ...emptyStepCounts(),
      publishSent: s.acceptedCount + s.rejectedCount + failedCalls,
      publishAccepted: s.acceptedCount,
      publishErrors: s.rejectedCount + Math.max(0, failedCalls - timeouts),
      publishTimeouts: timeouts,
      notifies: s.notifies,
      notifiesInWindow: s.notifiesInWindow,
      notifiesWithoutTimestamp: s.withoutStamp,
      lateNotifies: s.late,
      stale,
      checked,
      changesOwed: owed,
      changesDelivered: Math.min(owed, s.delivered.size),
      errorCodes: { ...s.codes },
    };
    return { counts, latency: s.latency };
  }
}

class StepTally {
  acceptedCount = 0;
  rejectedCount = 0;
  notifies = 0;
  notifiesInWindow = 0;
  withoutStamp = 0;
  late = 0;
  readonly published = new Set<string>();
  /** Accepted PUBLISHes per presentity. */
  readonly acceptedBy = new Map<string, number>();
  /** (watcher, stamp) pairs seen: a NOTIFY SIPp logged twice still delivers one change. */
  readonly delivered = new Set<string>();
  readonly codes: Record<string, number> = {};
  readonly latency = new LatencyHistogram();

  constructor(
    private readonly windowStartMs: number,
    private readonly windowEndMs: number,
  ) {}

  accepted(presentity: string): void {
    this.acceptedCount++;
    this.published.add(presentity);
    this.acceptedBy.set(presentity, (this.acceptedBy.get(presentity) ?? 0) + 1);
  }

  rejected(code: string): void {
    this.rejectedCount++;
    countCode(this.codes, code);
  }

  notify(key: string, receivedMs: number, publishedMs: number | undefined): void {
    if (publishedMs === undefined) {
      this.withoutStamp++;
      return;
    }
    if (publishedMs < this.windowStartMs) {
      this.late++;
      return;
    }
    this.notifies++;
    if (receivedMs <= this.windowEndMs) this.notifiesInWindow++;
    this.delivered.add(`${key}@${publishedMs}`);
    this.latency.recordMs(Math.max(0, receivedMs - publishedMs));
  }
}
