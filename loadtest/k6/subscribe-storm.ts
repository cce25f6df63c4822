/**
 * Subscribe storm: every iteration is one watcher (`<prefix><n>`, n = the
 * iteration's number in the test) on one WebSocket that SUBSCRIBEs to
 * SUBSCRIPTIONS presentities at once (the next users after it), waits for
 * each dialog's initial NOTIFY, holds the dialogs for HOLD (counting the
 * change NOTIFYs others cause), then unsubscribes and waits for each
 * terminating NOTIFY. Every NOTIFY is answered 200 (481 for an unknown dialog).
 *
 *   k6 run -e SIP_URL=ws://127.0.0.1:8080 -e VUS=100 -e DURATION=2m -e SUBSCRIPTIONS=20 loadtest/k6/subscribe-storm.ts
 *
 * Environment: SIP_URL, SIP_DOMAIN, SIP_USER_PREFIX, USERS, SIP_PASSWORD,
 * SIP_TIMEOUT; VUS, DURATION or ITERATIONS (per VU); SUBSCRIPTIONS (per
 * watcher, default 5), SUBSCRIBE_EXPIRES (s, default 600), HOLD (default 5s),
 * SUBSCRIBE_P95_MS (default 500).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { durationMs, nonNegativeNumber, positiveInt, targetConfig, userName, vuScenario } from './lib/load-config.ts';
import { delay } from './lib/signals.ts';
import { openSipSocket } from './lib/open-socket.ts';
import { Subscription, notifyHandler, succeeded } from './lib/subscription.ts';

const target = targetConfig(__ENV);
const perWatcher = positiveInt(__ENV, 'SUBSCRIPTIONS', 5);
const expires = positiveInt(__ENV, 'SUBSCRIBE_EXPIRES', 600);
const holdMs = durationMs(__ENV, 'HOLD', '5s');
if (perWatcher >= target.users) throw new Error(`SUBSCRIPTIONS (${perWatcher}) must be below USERS (${target.users}): a watcher does not watch itself`);

export const options: Options = {
  scenarios: { watchers: vuScenario(__ENV, 10, 'default') },
  thresholds: {
    sip_errors: ['rate<0.01'],
    sip_subscribe_duration: [`p(95)<${nonNegativeNumber(__ENV, 'SUBSCRIBE_P95_MS', 500)}`],
    sip_notify_initial: ['count>0'],
    checks: ['rate>0.99'],
  },
};

/** Every WebSocket opened and SIP transaction: true when it failed (refused, no 2xx, timeout, closed socket). */
const errors = new Rate('sip_errors');
/** Initial SUBSCRIBE sent → final response. */
const subscribeDuration = new Trend('sip_subscribe_duration', true);
const subscribed = new Counter('sip_subscriptions_ok');
const initialNotifies = new Counter('sip_notify_initial');
const changeNotifies = new Counter('sip_notify_change');
const terminatingNotifies = new Counter('sip_notify_terminated');
/** NOTIFYs seen again (same CSeq): the server did not get our 200 in time. */
const repeatedNotifies = new Counter('sip_notify_repeated');
/** NOTIFYs for no dialog of ours: answered 481. */
const unknownNotifies = new Counter('sip_notify_unknown');

const COUNTERS = { initial: initialNotifies, change: changeNotifies, terminated: terminatingNotifies, repeat: repeatedNotifies };

export default async function subscribeStorm(): Promise<void> {
  const watcherIndex = exec.scenario.iterationInTest;
  const watcher = userName(target, watcherIndex);
  const dialogs = new Map<string, Subscription>();
  const onRequest = notifyHandler(dialogs, (dialog, notify) => COUNTERS[dialog.onNotify(notify)].add(1), unknownNotifies);
  const socket = await openSipSocket(target, watcher, errors, onRequest);
  if (socket === undefined) return;
  try {
    for (let k = 0; k < perWatcher; k++) {
      const presentity = `sip:${userName(target, watcherIndex + 1 + k)}@${target.domain}`;
      const dialog = new Subscription(socket, watcher, presentity, target.domain, expires);
      dialogs.set(dialog.callId, dialog);
    }
    const active = await subscribeAll([...dialogs.values()]);
    const initials = await Promise.all(active.map((d) => d.initial.wait(target.transactionTimeoutMs)));
    check(initials, { 'initial NOTIFY on every dialog': (seen) => seen.every(Boolean) });
    await delay(holdMs);
    const ended = await Promise.all(active.map((d) => d.unsubscribe()));
    for (const outcome of ended) errors.add(!succeeded(outcome));
    const terminated = await Promise.all(active.map((d) => d.terminated.wait(target.transactionTimeoutMs)));
    check(terminated, { 'terminating NOTIFY on every dialog': (seen) => seen.every(Boolean) });
  } finally {
    await socket.close();
  }
}

/** SUBSCRIBEs every dialog at once; the ones answered 2xx. */
async function subscribeAll(dialogs: readonly Subscription[]): Promise<Subscription[]> {
  const outcomes = await Promise.all(dialogs.map((d) => d.subscribe()));
  const active: Subscription[] = [];
  outcomes.forEach((outcome, i) => {
    const ok = succeeded(outcome);
    errors.add(!ok);
    check(outcome, { 'SUBSCRIBE answered 2xx': () => ok });
    if (!ok) return;
    subscribeDuration.add(outcome.elapsedMs);
    subscribed.add(1);
    active.push(dialogs[i] as Subscription);
  });
  return active;
}
