import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ha1ForAll } from '@presence/auth';
import { ALLOW_EVERY_WATCHER_ARGS, Children, freePort, metricValue, startPresenceProcess, type PresenceProcess } from '@presence/dev-tools';
import { createUsersFileStore } from '@presence/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runK6, thresholdResults, value } from './k6-harness-runner.js';

/**
 * The k6 scripts with SIP_PASSWORD against a `presence standalone` that
 * authenticates (its default, `--auth digest`): users k6u0..k6u19 are in the
 * data dir before it starts, every request of the scripts is challenged and
 * answered, and a wrong password fails the thresholds.
 */
const DOMAIN = 'k6.test';
const USERS = 20;
const PASSWORD = 'k6-secret';

describe('k6 scripts against presence standalone with digest authentication', () => {
  const children = new Children();
  let server: PresenceProcess;
  let env: Record<string, string>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'k6-digest-'));
    const users = createUsersFileStore({ dataDir });
    for (let n = 0; n < USERS; n++) {
      const username = `k6u${n}`;
      await users.putUser({ aor: `sip:${username}@${DOMAIN}`, username, realm: DOMAIN, ha1: ha1ForAll(username, DOMAIN, PASSWORD), enabled: true });
    }
    await users.close();
    const ws = await freePort('tcp');
    server = await startPresenceProcess(children, 'standalone', 'k6-digest', await freePort('tcp'), [
      '--listen', `ws:127.0.0.1:${ws}`, '--domain', DOMAIN, '--data-dir', dataDir, '--log-level', 'warn', ...ALLOW_EVERY_WATCHER_ARGS,
    ]);
    env = { SIP_URL: `ws://127.0.0.1:${ws}`, SIP_DOMAIN: DOMAIN, USERS: String(USERS), SIP_PASSWORD: PASSWORD, REGISTER_P95_MS: '10000', LATENCY_P95_MS: '10000' };
  });
  afterAll(async () => {
    await children.killAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registration storm and publish fan-out - every request authenticated, thresholds hold', async () => {
    const before = await server.metrics();
    const registration = await runK6(children, 'loadtest/k6/registration-storm.ts', { ...env, VUS: '2', ITERATIONS: '2' });
    expect(registration.code, registration.stderr).toBe(0);
    expect(Object.values(thresholdResults(registration)).every(Boolean), JSON.stringify(thresholdResults(registration))).toBe(true);
    expect(value(registration, 'sip_registers_ok', 'count')).toBe(4);

    const fanout = await runK6(children, 'loadtest/k6/publish-fanout.ts', { ...env, PRESENTITIES: '2', WATCHERS: '2', PUBLISHES: '3', PUBLISH_INTERVAL: '50ms', SETTLE: '1s' });
    expect(fanout.code, fanout.stderr).toBe(0);
    expect(Object.values(thresholdResults(fanout)).every(Boolean), JSON.stringify(thresholdResults(fanout))).toBe(true);
    expect(value(fanout, 'sip_changes_missed', 'count')).toBe(0);

    const after = await server.metrics();
    const delta = (name: string, labels?: Record<string, string>): number => metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('presence_auth_challenges_total', { reason: 'missing' })).toBeGreaterThan(0);
    expect(delta('presence_auth_successes_total', { algorithm: 'SHA-256' })).toBeGreaterThan(0);
    expect(delta('presence_auth_failures_total', { reason: 'credentials' })).toBe(0);
  });

  it('a wrong password fails the error-rate threshold: exit 99, and the server counted the failures', async () => {
    const before = await server.metrics();
    const run = await runK6(children, 'loadtest/k6/registration-storm.ts', { ...env, SIP_PASSWORD: 'not-the-password', VUS: '1', ITERATIONS: '2' });
    expect(run.code).toBe(99);
    expect(value(run, 'sip_registers_ok', 'count')).toBe(0);
    const after = await server.metrics();
    expect(metricValue(after, 'presence_auth_failures_total', { reason: 'credentials' }) - metricValue(before, 'presence_auth_failures_total', { reason: 'credentials' })).toBeGreaterThan(0);
  });
});
