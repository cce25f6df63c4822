import { LatencyHistogram, type HistogramSnapshot, type LatencySummary } from '../stats/latency-histogram.js';
import { countCode, type CodeCounts } from '../stats/phase-stats.js';

/** The request kinds of the soak workload, each counted on its own. */
export const REQUEST_KINDS = ['register', 'unregister', 'subscribe', 'refresh', 'unsubscribe', 'publish', 'unpublish'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** How one request ended: a final status, no final answer in time, or a send the channel refused. */
export type Outcome = number | 'timeout' | 'refused';

export interface IntervalCounts {
  readonly sent: Record<RequestKind, number>;
  readonly failed: Record<RequestKind, number>;
  /** Failures by status code ('timeout', 'refused' included). */
  readonly failureCodes: CodeCounts;
  /** NOTIFYs received (every one, initial and terminating included). */
  notifies: number;
  /** NOTIFYs that carried a newer published state than the watcher had: the ones timed. */
  changeNotifies: number;
  /** Dialogs the server ended without our asking (Subscription-State: terminated): a failure. */
  terminatedByServer: number;
}

export interface IntervalReport extends IntervalCounts {
  readonly requests: number;
  /** Failed requests and dialogs the server ended. */
  readonly failures: number;
  /** PUBLISH→NOTIFY latency over the interval's change NOTIFYs. */
  readonly latency: LatencySummary;
}

/** An interval's report and its histogram, which the run merges into rows and windows, then drops. */
export interface TakenInterval {
  readonly report: IntervalReport;
  readonly histogram: HistogramSnapshot;
}

const perKind = (): Record<RequestKind, number> => Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<RequestKind, number>;

const emptyCounts = (): IntervalCounts => ({ sent: perKind(), failed: perKind(), failureCodes: {}, notifies: 0, changeNotifies: 0, terminatedByServer: 0 });

/**
 * What the generator counted since the last reading; `take` hands it over
 * and starts the next interval, so a reading is the interval's own figures
 * and a long run keeps no per-request history.
 */
export class SoakStats {
  private counts = emptyCounts();
  private latency = new LatencyHistogram();

  sent(kind: RequestKind): void {
    this.counts.sent[kind]++;
  }

  /** A 2xx is success; anything else, a timeout or a refused send is a failure of `kind`. */
  ended(kind: RequestKind, outcome: Outcome): void {
    if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) return;
    this.counts.failed[kind]++;
    countCode(this.counts.failureCodes, outcome);
  }

  notify(publishedAtMs: number | undefined, receivedAtMs: number): void {
    this.counts.notifies++;
    if (publishedAtMs === undefined) return;
    this.counts.changeNotifies++;
    this.latency.recordMs(receivedAtMs - publishedAtMs);
  }

  terminatedByServer(): void {
    this.counts.terminatedByServer++;
  }

  take(): TakenInterval {
    const counts = this.counts;
    const histogram = this.latency.snapshot();
    const latency = this.latency.summary();
    this.counts = emptyCounts();
    this.latency = new LatencyHistogram();
    const sum = (r: Record<RequestKind, number>): number => REQUEST_KINDS.reduce((s, k) => s + r[k], 0);
    return { report: { ...counts, requests: sum(counts.sent), failures: sum(counts.failed) + counts.terminatedByServer, latency }, histogram };
  }
}
