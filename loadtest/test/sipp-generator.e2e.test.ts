import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryGate, requireOrSkip } from '@presence/dev-tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchConfig } from '../dist/cli/bench-config.js';
import { parseBenchArgs } from '../dist/cli/bench-options.js';
import { runAgainstMode, type TargetResult } from '../dist/modes/run-workload.js';
import { findKamailio } from '../dist/reference/kamailio.js';
import { SIPP_INSTALL_HINT } from '../dist/sipp/sipp-process.js';

/**
 * `npm run bench -- --generator sipp` end to end, a few seconds at a low
 * rate: SIPp processes running loadtest/sipp/watcher.xml and publisher.xml
 * subscribe P=10 × W=2 watchers and modify each presentity in turn, and what
 * the bench reads from their logs agrees with the server: every NOTIFY the
 * standalone server counts as sent was logged by a SIPp watcher, and every
 * accepted PUBLISH reached both watchers of its presentity, on our server
 * and on the Kamailio reference. Counts only: no figure of speed is judged.
 * It runs the built bench (dist/), as `npm run bench` does: the server it
 * starts loads the built probe preload.
 */
const sippThere = requireOrSkip(binaryGate('sipp', SIPP_INSTALL_HINT), 'SIPp generator tests');
const kamailioThere =
  sippThere &&
  requireOrSkip(
    { available: findKamailio() !== undefined, reason: 'kamailio is not installed (apt-get install -y kamailio kamailio-presence-modules)' },
    'SIPp generator against Kamailio',
  );

const WATCHERS = 2;
const PRESENTITIES = 10;
const quiet = (): void => undefined;

describe.runIf(sippThere)('SIPp generator', () => {
  let outDir: string;
  let config: BenchConfig;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'bench-sipp-test-'));
    const parsed = parseBenchArgs([
      '--generator', 'sipp', '--presentities', String(PRESENTITIES), '--watchers', String(WATCHERS),
      '--rate', '10', '--duration', '3', '--drain', '5', '--workers', '2', '--out', outDir,
    ]);
    if (parsed.help) throw new Error('unexpected --help');
    config = parsed.config;
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  /** What holds whatever the target: all subscribed and notified, every accepted PUBLISH seen by each watcher. */
  function expectConsistent(result: TargetResult): void {
    expect(result.generatedBy).toBe('sipp');
    expect(result.subscribe).toMatchObject({ subscriptions: PRESENTITIES * WATCHERS, subscribed: PRESENTITIES * WATCHERS, subscribeFailed: 0, subscribeTimeouts: 0 });
    expect(result.subscribe.initialNotifies).toBe(PRESENTITIES * WATCHERS);
    expect(result.steps).toHaveLength(1);
    const step = result.steps[0]!.summary;
    expect(step.publishAccepted, 'the publisher scenario modified its presentities').toBeGreaterThan(0);
    expect(step.publishErrors + step.publishTimeouts).toBe(0);
    expect(step.publishSent).toBe(step.publishAccepted);
    expect(step.notifies, 'each accepted PUBLISH reached both watchers').toBe(step.publishAccepted * WATCHERS);
    expect(step.changesDelivered).toBe(step.changesOwed);
    expect(step.stale).toBe(0);
    expect(step.checked).toBe(PRESENTITIES * WATCHERS);
    expect(step.latency.count).toBe(step.notifies);
  }

  it('against standalone: the NOTIFYs the server sent are the NOTIFYs the SIPp watchers logged', async () => {
    const result = await runAgainstMode('standalone', config, quiet, 'sipp');
    expectConsistent(result);
    const step = result.steps[0]!.summary;
    expect(result.server, 'standalone exposes /metrics').toBeDefined();
    const server = result.server!;
    expect(server.publishRequests).toBe(step.publishSent);
    expect(server.changes).toBe(step.publishAccepted);
    expect(server.notifiesOk).toBe(step.notifies + step.lateNotifies + step.notifiesWithoutTimestamp);
    expect(server.notifiesTimeout + server.notifiesRejected + server.notifiesFailed).toBe(0);
  }, 90_000);

  it.runIf(kamailioThere)('against the Kamailio reference: every accepted PUBLISH reaches every watcher', async () => {
    expectConsistent(await runAgainstMode('kamailio', config, quiet, 'sipp'));
  }, 90_000);
});
