import { sleep } from '@presence/dev-tools';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { LogTail, SippProcess } from './sipp-process.js';
import type { SippTally } from './sipp-tally.js';

export interface SubscribeOutcome {
  readonly subscribed: number;
  /** SIPp calls that failed (non-2xx, no answer, a message the scenario did not expect)… */
  readonly failed: number;
  /** …of which ran out of retransmissions. */
  readonly timeouts: number;
  readonly initialNotifies: number;
  /** 503 answers the scenario retried after a pause (not failures), by code. */
  readonly retriedCodes: Record<string, number>;
  readonly durationMs: number;
  readonly rtt: LatencyHistogram;
}

const POLL_MS = 250;
/** Slack on top of the time the SUBSCRIBE rate needs, for a slow start of SIPp or the server. */
const START_SLACK_MS = 5_000;

/**
 * Waits until every watcher call has its 2xx or has failed, then (up to
 * `initialNotifyWaitMs` more) until every subscribed one has its initial
 * NOTIFY. Each SIPp process starts its calls at `ratePerProcess` per second.
 */
export async function subscribePhase(
  processes: readonly SippProcess[],
  tails: readonly LogTail[],
  tally: SippTally,
  total: number,
  options: { readonly timeoutMs: number; readonly initialNotifyWaitMs: number; readonly ratePerProcess: number },
): Promise<SubscribeOutcome> {
  const rtt = new LatencyHistogram();
  const startedAt = Date.now();
  let subscribed = 0;
  let firstSentMs = Number.POSITIVE_INFINITY;
  let lastAnsweredMs = startedAt;
  const perProcess = Math.ceil(total / Math.max(1, processes.length));
  // Retries after 503 push the last answers out; the deadline moves with each answer that still comes.
  let answerDeadline = startedAt + (perProcess * 1000) / options.ratePerProcess + options.timeoutMs + START_SLACK_MS;
  let failed = 0;
  let timeouts = 0;
  let notifyDeadline = Number.POSITIVE_INFINITY;
  const retriedCodes: Record<string, number> = {};
  for (;;) {
    await sleep(POLL_MS);
    for (const [k, tail] of tails.entries()) {
      const lines = await tail.readLines();
      for (const line of lines) {
        if (line.kind === 'retried') retriedCodes[line.code] = (retriedCodes[line.code] ?? 0) + 1;
        if (line.kind !== 'subscribed') continue;
        subscribed++;
        rtt.recordMs(line.answeredMs - line.sentMs);
        firstSentMs = Math.min(firstSentMs, line.sentMs);
        lastAnsweredMs = Math.max(lastAnsweredMs, line.answeredMs);
        answerDeadline = Math.max(answerDeadline, Date.now() + options.timeoutMs + START_SLACK_MS);
      }
      tally.addWatcherLines(k, lines);
    }
    const stats = await Promise.all(processes.map((p) => p.stats()));
    failed = stats.reduce((sum, s) => sum + (s['FailedCall(C)'] ?? 0), 0);
    timeouts = stats.reduce((sum, s) => sum + (s['FailedMaxUDPRetrans(C)'] ?? 0), 0);
    const dead = processes.find((p) => !p.running);
    if (dead !== undefined) throw new Error(`SIPp watcher process exited during the subscribe phase: ${dead.describe()}`);
    const now = Date.now();
    if (subscribed + failed >= total || now > answerDeadline) {
      notifyDeadline = Math.min(notifyDeadline, now + options.initialNotifyWaitMs);
      if (tally.watchersNotified() >= subscribed || now > notifyDeadline) break;
    }
  }
  const durationMs = Number.isFinite(firstSentMs) ? lastAnsweredMs - firstSentMs : Date.now() - startedAt;
  return { subscribed, failed, timeouts, initialNotifies: tally.watchersNotified(), retriedCodes, durationMs, rtt };
}
