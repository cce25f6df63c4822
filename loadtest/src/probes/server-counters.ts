import { httpGet, metricValue } from '@presence/dev-tools';
import type { MemoryProbe } from '../targets/bench-target.js';

/**
 * The server's own view of a step, from /metrics, to set beside what the
 * generator measured (README: "How results map to the server's metrics").
 */
export interface ServerCounters {
  readonly publishRequests: number;
  readonly subscribeRequests: number;
  readonly notifiesOk: number;
  readonly notifiesTimeout: number;
  readonly notifiesRejected: number;
  readonly notifiesFailed: number;
  readonly notifiesCoalesced: number;
  readonly changes: number;
  readonly activeSubscriptions: number;
  readonly handlerErrors: number;
  /** Digest challenges (401) sent, every reason; authenticated requests, every algorithm (--auth digest). */
  readonly authChallenges: number;
  readonly authSuccesses: number;
}

const ZERO: ServerCounters = {
  publishRequests: 0, subscribeRequests: 0, notifiesOk: 0, notifiesTimeout: 0, notifiesRejected: 0,
  notifiesFailed: 0, notifiesCoalesced: 0, changes: 0, activeSubscriptions: 0, handlerErrors: 0, authChallenges: 0, authSuccesses: 0,
};

/** Summed over every process with /metrics (each counts what it did itself); undefined if there is none. */
export async function readServerCounters(probes: readonly MemoryProbe[]): Promise<ServerCounters | undefined> {
  const urls = probes.flatMap((p) => (p.metricsUrl === undefined ? [] : [p.metricsUrl]));
  if (urls.length === 0) return undefined;
  const texts = await Promise.all(urls.map((url) => httpGet(url, 5000).then((r) => r.body, () => '')));
  const sum = (name: string, labels: Record<string, string> = {}): number => texts.reduce((total, text) => total + metricValue(text, name, labels), 0);
  const sumEvery = (name: string): number => texts.reduce((total, text) => total + sumAll(text, name), 0);
  return {
    publishRequests: sum('presence_sip_requests_total', { method: 'PUBLISH' }),
    subscribeRequests: sum('presence_sip_requests_total', { method: 'SUBSCRIBE' }),
    notifiesOk: sum('presence_notifies_sent_total', { result: 'ok' }),
    notifiesTimeout: sum('presence_notifies_sent_total', { result: 'timeout' }),
    notifiesRejected: sum('presence_notifies_sent_total', { result: 'rejected' }),
    notifiesFailed: sum('presence_notifies_sent_total', { result: 'failed' }),
    notifiesCoalesced: sum('presence_notifies_coalesced_total'),
    changes: sum('presence_changes_total'),
    activeSubscriptions: sum('presence_subscriptions', { state: 'active' }),
    handlerErrors: sumEvery('presence_sip_handler_errors_total'),
    authChallenges: sumEvery('presence_auth_challenges_total'),
    authSuccesses: sumEvery('presence_auth_successes_total'),
  };
}

/** after − before for counters; gauges (active subscriptions) keep their `after` value. */
export function counterDelta(before: ServerCounters | undefined, after: ServerCounters | undefined): ServerCounters | undefined {
  if (after === undefined) return undefined;
  const base = before ?? ZERO;
  const delta = {} as Record<keyof ServerCounters, number>;
  for (const key of Object.keys(after) as (keyof ServerCounters)[]) delta[key] = key === 'activeSubscriptions' ? after[key] : after[key] - base[key];
  return delta;
}

/** Sum of every sample of a metric, whatever its labels. */
function sumAll(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}
