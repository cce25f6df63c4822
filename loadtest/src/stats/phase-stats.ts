import type { HistogramSnapshot } from './latency-histogram.js';

/** Final status codes other than 2xx, by code ("408" included when the server sent it). */
export type CodeCounts = Record<string, number>;

/** Digest challenges (401) the generator answered: the cost of authentication, never counted as errors. */
export interface ChallengeCounts {
  /** 401s answered with credentials (the first request of an AOR, and each time its nonce was spent). */
  challengesAnswered: number;
  /** … of which said stale=true: the nonce had expired (--nonce-lifetime) or its count was refused. */
  staleChallenges: number;
}

/** What one worker reports for the subscribe phase (and the parent sums). */
export interface SubscribePhaseCounts extends ChallengeCounts {
  registerSent: number;
  registerOk: number;
  registerFailed: number;
  registerTimeouts: number;
  subscribeSent: number;
  subscribed: number;
  subscribeFailed: number;
  subscribeTimeouts: number;
  /** First NOTIFY of each dialog (RFC 6665 §4.2.1.2: sent at once with the current state). */
  initialNotifies: number;
  /** Dialogs whose initial NOTIFY did not arrive before the phase ended. */
  missingInitialNotifies: number;
  /** NOTIFYs that arrived again after we had answered them (the server did not see our 200 in time). */
  notifyRetransmissions: number;
  sendFailures: number;
  errorCodes: CodeCounts;
  durationMs: number;
}

export interface SubscribePhaseReport extends SubscribePhaseCounts {
  subscribeRtt: HistogramSnapshot;
}

/** What one worker reports for one PUBLISH step (publish window plus drain). */
export interface StepCounts extends ChallengeCounts {
  publishSent: number;
  /** 2xx final responses. */
  publishAccepted: number;
  /** Non-2xx final responses (by code in errorCodes). */
  publishErrors: number;
  publishTimeouts: number;
  /** The channel refused the send (closed or congested). */
  sendFailures: number;
  /** Pacing slots lost because every presentity of the worker still had a PUBLISH outstanding. */
  publishSkipped: number;
  /** NOTIFYs carrying a published timestamp, retransmissions excluded. */
  notifies: number;
  /** The subset received while the publish window was open: the NOTIFY/s figure. */
  notifiesInWindow: number;
  /** NOTIFYs seen again (UDP retransmission, same CSeq): answered, not counted. */
  notifyRetransmissions: number;
  /** Non-initial NOTIFYs without our timestamp (another document): counted, no latency. */
  notifiesWithoutTimestamp: number;
  /** Bytes of the change NOTIFYs received in the step (not the initial or refresh ones, retransmissions excluded). */
  notifyBytes: number;
  /** --watcher-profile runs: refresh SUBSCRIBEs sent in the drain, the NOTIFYs they brought and their bytes, and 204s (RFC 5839: no NOTIFY follows). */
  refreshesSent: number;
  refreshNotifies: number;
  refreshBytes: number;
  refreshNoNotify: number;
  /** NOTIFYs whose timestamp predates this step (left over from the previous step's drain). */
  lateNotifies: number;
  /** Dialogs the server ended (Subscription-State: terminated) outside an unsubscribe. */
  terminated: number;
  /** NOTIFYs for dialogs we do not know: answered 481. */
  unknownDialog: number;
  /** Subscriptions that had not seen their presentity's last accepted state when the drain deadline passed. */
  stale: number;
  /** Subscriptions checked by the drain (active, of a presentity that published in this step). */
  checked: number;
  /** (watcher, change) pairs over the checked subscriptions: each accepted PUBLISH of the watched presentity. */
  changesOwed: number;
  /** … whose NOTIFY the watcher got. */
  changesDelivered: number;
  /** … not seen, but a later change of the same presentity was (coalesced: RFC 6446 allows it, the latest state wins). */
  changesSuperseded: number;
  /** NOTIFYs carrying an older change than one the dialog had already shown (state going backwards). */
  stateRegressions: number;
  drainMs: number;
  /** Generator CPU over the step (window + drain), in % of one core: summed over workers… */
  generatorCpuPct: number;
  /** …and the busiest worker's: near 100 the generator, not the server, set the pace. */
  workerCpuPctMax: number;
  errorCodes: CodeCounts;
}

export interface StepReport extends StepCounts {
  latency: HistogramSnapshot;
  publishRtt: HistogramSnapshot;
}

/** Worker-wide trouble, whatever the phase. */
export interface WorkerHealth {
  unparsable: number;
  channelsClosed: number;
  retransmissions: number;
}

export function emptySubscribeCounts(): SubscribePhaseCounts {
  return {
    registerSent: 0, registerOk: 0, registerFailed: 0, registerTimeouts: 0,
    subscribeSent: 0, subscribed: 0, subscribeFailed: 0, subscribeTimeouts: 0,
    initialNotifies: 0, missingInitialNotifies: 0, notifyRetransmissions: 0, sendFailures: 0, errorCodes: {}, durationMs: 0,
    challengesAnswered: 0, staleChallenges: 0,
  };
}

export function emptyStepCounts(): StepCounts {
  return {
    publishSent: 0, publishAccepted: 0, publishErrors: 0, publishTimeouts: 0, sendFailures: 0, publishSkipped: 0,
    notifies: 0, notifiesInWindow: 0, notifyRetransmissions: 0, notifiesWithoutTimestamp: 0, lateNotifies: 0, notifyBytes: 0, refreshesSent: 0, refreshNotifies: 0, refreshBytes: 0, refreshNoNotify: 0,
    terminated: 0, unknownDialog: 0, stale: 0, checked: 0, changesOwed: 0, changesDelivered: 0, changesSuperseded: 0, stateRegressions: 0,
    drainMs: 0, generatorCpuPct: 0, workerCpuPctMax: 0, errorCodes: {}, challengesAnswered: 0, staleChallenges: 0,
  };
}

export function countCode(codes: CodeCounts, code: number | string): void {
  const key = String(code);
  codes[key] = (codes[key] ?? 0) + 1;
}

/**
 * Adds numeric fields and code tables of `parts` into one record; fields
 * named `*Ms` (phase durations, measured in parallel) and `*Max` take the maximum.
 */
export function sumCounts<T extends object>(empty: T, parts: readonly T[]): T {
  const total = empty as Record<string, unknown>;
  for (const part of parts as readonly Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(part)) {
      if (typeof value === 'number') {
        const current = (total[key] as number | undefined) ?? 0;
        total[key] = key.endsWith('Ms') || key.endsWith('Max') ? Math.max(current, value) : current + value;
      } else if (key === 'errorCodes' && typeof value === 'object' && value !== null) {
        const codes = total[key] as CodeCounts;
        for (const [code, count] of Object.entries(value as CodeCounts)) codes[code] = (codes[code] ?? 0) + count;
      }
    }
  }
  return total as T;
}
