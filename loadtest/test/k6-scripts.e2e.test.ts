import { ALLOW_EVERY_WATCHER_ARGS, Children, freePort, metricValue, startPresenceProcess, type PresenceProcess } from '@presence/dev-tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authNoneArgs, runK6, thresholdResults, value } from './k6-harness-runner.js';

/**
 * Each k6 script end to end through the harness against a real `presence
 * standalone` (WebSocket listener on a free port, domain k6.test): the
 * thresholds hold, and what the script counted is what the server did (its
 * /metrics, read before and after). Latency thresholds are set loose
 * (LATENCY/P95 10 s): the machine is shared; correctness is in the counts.
 */
const DOMAIN = 'k6.test';
const LOOSE_MS = '10000';

describe('k6 scripts against presence standalone', () => {
  const children = new Children();
  let server: PresenceProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    const ws = await freePort('tcp');
    const http = await freePort('tcp');
    server = await startPresenceProcess(children, 'standalone', 'k6-e2e', http, [
      '--listen', `ws:127.0.0.1:${ws}`, '--domain', DOMAIN, '--log-level', 'warn', ...authNoneArgs(), ...ALLOW_EVERY_WATCHER_ARGS,
    ]);
    env = { SIP_URL: `ws://127.0.0.1:${ws}`, SIP_DOMAIN: DOMAIN, USERS: '50' };
  });
  afterAll(() => children.killAll());

  /** Server counters as deltas over `run`. */
  async function serverDelta(run: () => Promise<void>, ...series: Array<[string, Record<string, string>?]>): Promise<number[]> {
    const before = await server.metrics();
    await run();
    const after = await server.metrics();
    return series.map(([name, labels]) => metricValue(after, name, labels) - metricValue(before, name, labels));
  }

  it('registration storm - every REGISTER bound and unbound, as the server counted', async () => {
    let run!: Awaited<ReturnType<typeof runK6>>;
    const [binds, unbinds, registers] = await serverDelta(
      async () => void (run = await runK6(children, 'loadtest/k6/registration-storm.ts', { ...env, VUS: '4', ITERATIONS: '3', REGISTER_P95_MS: LOOSE_MS })),
      ['presence_registrations_total', { action: 'bind' }],
      ['presence_registrations_total', { action: 'unbind' }],
      ['presence_sip_requests_total', { method: 'REGISTER' }],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.iterationErrors).toEqual({});
    expect(Object.values(thresholdResults(run)).every(Boolean), JSON.stringify(thresholdResults(run))).toBe(true);
    expect(value(run, 'iterations', 'count')).toBe(12);
    expect(value(run, 'sip_registers_ok', 'count')).toBe(12);
    expect(value(run, 'sip_unregisters_ok', 'count')).toBe(12);
    expect([binds, unbinds, registers]).toEqual([12, 12, 24]);
  });

  it('subscribe storm - one initial and one terminating NOTIFY per dialog, each answered, as the server sent them', async () => {
    let run!: Awaited<ReturnType<typeof runK6>>;
    const [notifiesOk, subscribes] = await serverDelta(
      async () =>
        void (run = await runK6(children, 'loadtest/k6/subscribe-storm.ts', { ...env, VUS: '3', ITERATIONS: '2', SUBSCRIPTIONS: '4', HOLD: '200ms', SUBSCRIBE_P95_MS: LOOSE_MS })),
      ['presence_notifies_sent_total', { result: 'ok' }],
      ['presence_sip_requests_total', { method: 'SUBSCRIBE' }],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.iterationErrors).toEqual({});
    expect(Object.values(thresholdResults(run)).every(Boolean), JSON.stringify(thresholdResults(run))).toBe(true);
    const dialogs = 3 * 2 * 4;
    expect(value(run, 'sip_subscriptions_ok', 'count')).toBe(dialogs);
    expect(value(run, 'sip_notify_initial', 'count')).toBe(dialogs);
    expect(value(run, 'sip_notify_terminated', 'count')).toBe(dialogs);
    expect(value(run, 'sip_notify_change', 'count')).toBe(0); // nobody published
    expect(value(run, 'sip_notify_unknown', 'count') + value(run, 'sip_notify_repeated', 'count')).toBe(0);
    // "ok" = the server got our 200 for it: every NOTIFY the script counted, and no other.
    expect(notifiesOk).toBe(2 * dialogs);
    expect(subscribes).toBe(2 * dialogs);
  });

  it('publish fan-out - every change reaches every watcher, latency per change NOTIFY, as the server sent them', async () => {
    let run!: Awaited<ReturnType<typeof runK6>>;
    const [notifiesOk, publishes, serverChangeNotifies] = await serverDelta(
      async () =>
        void (run = await runK6(children, 'loadtest/k6/publish-fanout.ts', {
          ...env, PRESENTITIES: '2', WATCHERS: '3', PUBLISHES: '4', PUBLISH_INTERVAL: '50ms', SETTLE: '1s', LATENCY_P95_MS: LOOSE_MS,
        })),
      ['presence_notifies_sent_total', { result: 'ok' }],
      ['presence_sip_requests_total', { method: 'PUBLISH' }],
      ['presence_publish_to_notify_seconds_count'],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.iterationErrors).toEqual({});
    expect(Object.values(thresholdResults(run)).every(Boolean), JSON.stringify(thresholdResults(run))).toBe(true);
    const dialogs = 2 * 3;
    expect(value(run, 'sip_publishes_ok', 'count')).toBe(8);
    expect(publishes).toBe(8);
    expect(value(run, 'sip_final_state_seen', 'rate')).toBe(1);
    expect(value(run, 'sip_final_state_seen', 'passes')).toBe(dialogs);
    expect(value(run, 'sip_changes_missed', 'count')).toBe(0);
    expect(value(run, 'sip_notify_initial', 'count')).toBe(dialogs);
    expect(value(run, 'sip_notify_terminated', 'count')).toBe(dialogs);
    const changes = value(run, 'sip_notify_change', 'count');
    // A watcher subscribed after some changes sees them in its initial state instead: at most 4 per dialog.
    expect(changes).toBeGreaterThan(0);
    expect(changes).toBeLessThanOrEqual(4 * dialogs);
    expect(value(run, 'sip_publish_to_notify', 'count')).toBe(changes);
    expect(value(run, 'sip_notify_other', 'count')).toBe(0);
    expect(serverChangeNotifies).toBe(changes);
    expect(notifiesOk).toBe(dialogs + changes + dialogs);
  });

  it('a server that refuses every REGISTER (404: domain not served) fails the error-rate threshold: exit 99', async () => {
    let run!: Awaited<ReturnType<typeof runK6>>;
    const [refused] = await serverDelta(
      async () => void (run = await runK6(children, 'loadtest/k6/registration-storm.ts', { ...env, SIP_DOMAIN: 'not-served.test', VUS: '2', ITERATIONS: '2' })),
      ['presence_sip_responses_total', { method: 'REGISTER', code: '404' }],
    );
    expect(run.code).toBe(99);
    expect(run.summary.thresholdsFailed).toBe(true);
    expect(thresholdResults(run)).toMatchObject({ 'sip_errors: rate<0.01': false, 'checks: rate>0.99': false });
    // sip_errors: the 4 WebSockets opened (no error), the 4 REGISTERs refused (error); nothing to unregister.
    expect([value(run, 'sip_errors', 'passes'), value(run, 'sip_errors', 'fails')]).toEqual([4, 4]);
    expect(value(run, 'sip_registers_ok', 'count')).toBe(0);
    expect(refused).toBe(4);
    expect(run.stdout).toMatch(/✗ REGISTER answered 2xx/);
  });
});
