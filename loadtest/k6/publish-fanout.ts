/**
 * Publish fan-out: PRESENTITIES publisher VUs each PUBLISH a PIDF PUBLISHES
 * times (every PUBLISH_INTERVAL); WATCHERS watcher VUs each subscribe to every
 * presentity, so each change fans out to WATCHERS NOTIFYs. The document's note
 * carries the run, a sequence number and the send time (lib/presence-note.ts):
 * watchers measure PUBLISH→NOTIFY latency and count changes they never saw.
 * A watcher stays until it has seen every publisher's last change.
 *
 *   k6 run -e SIP_URL=ws://127.0.0.1:8080 -e PRESENTITIES=20 -e WATCHERS=50 -e PUBLISHES=100 loadtest/k6/publish-fanout.ts
 *
 * Environment: SIP_URL, SIP_DOMAIN, SIP_USER_PREFIX, USERS, SIP_PASSWORD,
 * SIP_TIMEOUT; PRESENTITIES (default 5; users 0 … P-1), WATCHERS (default 10;
 * users P … P+W-1), PUBLISHES (per publisher, default 20), PUBLISH_INTERVAL
 * (default 500ms), PUBLISH_EXPIRES (s, default 120), SUBSCRIBE_EXPIRES (s,
 * default 600), SETTLE (publishers start after it, default 3s), FINAL_TIMEOUT
 * (how long a watcher waits for the last changes, default 2m), LATENCY_P95_MS
 * (default 500), ALLOW_COALESCING=1 against a server with
 * --notify-min-interval, which folds changes (then missed changes are no error).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { durationMs, nonNegativeNumber, positiveInt, targetConfig, userName } from './lib/load-config.ts';
import { pidfDocument, readPublishedChange } from './lib/presence-note.ts';
import { delay, type Signal, signal } from './lib/signals.ts';
import { type SipMessage, header, randomToken } from './lib/sip-message.ts';
import { openSipSocket } from './lib/open-socket.ts';
import { Subscription, notifyHandler, succeeded } from './lib/subscription.ts';

const target = targetConfig(__ENV);
const presentities = positiveInt(__ENV, 'PRESENTITIES', 5);
const watchers = positiveInt(__ENV, 'WATCHERS', 10);
const publishes = positiveInt(__ENV, 'PUBLISHES', 20);
const intervalMs = durationMs(__ENV, 'PUBLISH_INTERVAL', '500ms');
const publishExpires = positiveInt(__ENV, 'PUBLISH_EXPIRES', 120);
const subscribeExpires = positiveInt(__ENV, 'SUBSCRIBE_EXPIRES', 600);
const finalTimeoutMs = durationMs(__ENV, 'FINAL_TIMEOUT', '2m');
const allowCoalescing = __ENV['ALLOW_COALESCING'] === '1';
if (presentities + watchers > target.users) throw new Error(`PRESENTITIES + WATCHERS must not exceed USERS (${target.users})`);

export const options: Options = {
  scenarios: {
    watchers: { executor: 'per-vu-iterations', vus: watchers, iterations: 1, maxDuration: __ENV['MAX_DURATION'] ?? '10m', exec: 'watch' },
    publishers: {
      executor: 'per-vu-iterations', vus: presentities, iterations: 1, maxDuration: __ENV['MAX_DURATION'] ?? '10m',
      startTime: __ENV['SETTLE'] ?? '3s', exec: 'publish',
    },
  },
  // count: how many NOTIFYs the latency covers; p(99): the tail a fan-out is judged by.
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  thresholds: {
    sip_errors: ['rate<0.01'],
    sip_publish_to_notify: [`p(95)<${nonNegativeNumber(__ENV, 'LATENCY_P95_MS', 500)}`],
    sip_notify_change: ['count>0'],
    sip_final_state_seen: ['rate>0.99'],
    checks: ['rate>0.99'],
    ...(allowCoalescing ? {} : { sip_changes_missed: ['count==0'] }),
  },
};

/** Every WebSocket opened and SIP transaction: true when it failed (refused, no 2xx, timeout, closed socket). */
const errors = new Rate('sip_errors');
/** PUBLISH sent (the note's time) → the watcher holding the NOTIFY that carries it. */
const publishToNotify = new Trend('sip_publish_to_notify', true);
const publishDuration = new Trend('sip_publish_duration', true);
const published = new Counter('sip_publishes_ok');
const initialNotifies = new Counter('sip_notify_initial');
/** NOTIFYs carrying a change of this run not seen before on their dialog. */
const changeNotifies = new Counter('sip_notify_change');
/** Later NOTIFYs without a new change of this run (a leftover publication expiring, a repeated state). */
const otherNotifies = new Counter('sip_notify_other');
const terminatingNotifies = new Counter('sip_notify_terminated');
const unknownNotifies = new Counter('sip_notify_unknown');
/** Sequence numbers a watcher skipped: changes it never got a NOTIFY for. */
const changesMissed = new Counter('sip_changes_missed');
/** Per dialog: did the watcher see its publisher's last change before FINAL_TIMEOUT. */
const finalStateSeen = new Rate('sip_final_state_seen');

interface SetupData {
  readonly run: string;
}

/** One id per run, so changes left by an earlier run (publications live until they expire) are not counted. */
export function setup(): SetupData {
  return { run: randomToken(8) };
}

export async function publish(data: SetupData): Promise<void> {
  const presentity = userName(target, exec.scenario.iterationInTest);
  const aor = `sip:${presentity}@${target.domain}`;
  const socket = await openSipSocket(target, presentity, errors);
  if (socket === undefined) return;
  const dialog = { callId: randomToken(20), fromTag: randomToken(8), cseq: 1, etag: undefined as string | undefined };
  try {
    for (let seq = 1; seq <= publishes; seq++) {
      const change = { run: data.run, seq, sentAtMs: Date.now(), final: seq === publishes };
      const outcome = await socket.request({
        method: 'PUBLISH', uri: aor, from: `<${aor}>;tag=${dialog.fromTag}`, to: `<${aor}>`, callId: dialog.callId, cseq: dialog.cseq,
        headers: ['Event: presence', `Expires: ${publishExpires}`, ...(dialog.etag === undefined ? [] : [`SIP-If-Match: ${dialog.etag}`])],
        contentType: 'application/pidf+xml',
        body: pidfDocument(aor, seq % 2 === 1, change),
      });
      dialog.cseq = outcome.cseq + 1;
      const ok = succeeded(outcome);
      errors.add(!ok);
      check(outcome, { 'PUBLISH answered 2xx': () => ok });
      // RFC 3903 §6: modify the publication by its entity tag; without one (or after a 412) start a new one.
      dialog.etag = ok && outcome.response !== undefined ? header(outcome.response, 'sip-etag') : undefined;
      if (ok) {
        published.add(1);
        publishDuration.add(outcome.elapsedMs);
      }
      if (seq < publishes) await delay(intervalMs);
    }
  } finally {
    await socket.close();
  }
}

/** What a watcher knows of one presentity. */
interface Watched {
  readonly dialog: Subscription;
  lastSeq: number;
  readonly finalSeen: Signal;
}

export async function watch(data: SetupData): Promise<void> {
  const watcher = userName(target, presentities + exec.scenario.iterationInTest);
  const watched = new Map<string, Watched>();
  const onRequest = notifyHandler(watched, (entry, notify) => account(entry, notify, data.run), unknownNotifies);
  const socket = await openSipSocket(target, watcher, errors, onRequest);
  if (socket === undefined) return;
  try {
    for (let p = 0; p < presentities; p++) {
      const dialog = new Subscription(socket, watcher, `sip:${userName(target, p)}@${target.domain}`, target.domain, subscribeExpires);
      watched.set(dialog.callId, { dialog, lastSeq: 0, finalSeen: signal() });
    }
    const entries = [...watched.values()];
    const outcomes = await Promise.all(entries.map((e) => e.dialog.subscribe()));
    const active = entries.filter((_, i) => succeeded(outcomes[i] as (typeof outcomes)[number]));
    for (const outcome of outcomes) errors.add(!succeeded(outcome));
    check(outcomes, { 'SUBSCRIBE answered 2xx': (all) => all.every(succeeded) });
    const finals = await Promise.all(active.map((e) => e.finalSeen.wait(finalTimeoutMs)));
    for (const seen of finals) finalStateSeen.add(seen);
    const ended = await Promise.all(active.map((e) => e.dialog.unsubscribe()));
    for (const outcome of ended) errors.add(!succeeded(outcome));
    const terminated = await Promise.all(active.map((e) => e.dialog.terminated.wait(target.transactionTimeoutMs)));
    check(terminated, { 'terminating NOTIFY on every dialog': (seen) => seen.every(Boolean) });
  } finally {
    await socket.close();
  }
}

/** Counts one NOTIFY of a watched presentity. */
function account(entry: Watched, notify: SipMessage, run: string): void {
  const kind = entry.dialog.onNotify(notify);
  if (kind === 'repeat') return;
  const change = readPublishedChange(notify.body, run);
  if (kind === 'initial') {
    // The state at subscribe time: not a change, but where this watcher's count starts.
    initialNotifies.add(1);
    if (change !== undefined) entry.lastSeq = change.seq;
    if (change?.final) entry.finalSeen.fire();
    return;
  }
  if (kind === 'terminated') {
    terminatingNotifies.add(1);
    return;
  }
  if (change === undefined || change.seq <= entry.lastSeq) {
    otherNotifies.add(1);
    return;
  }
  changeNotifies.add(1);
  publishToNotify.add(Date.now() - change.sentAtMs);
  changesMissed.add(change.seq - entry.lastSeq - 1);
  entry.lastSeq = change.seq;
  if (change.final) entry.finalSeen.fire();
}
