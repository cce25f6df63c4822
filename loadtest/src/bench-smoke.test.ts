import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Children } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { TargetResult } from './modes/run-workload.js';

/**
 * The bench as `npm run bench` runs it (built dist/: `npx tsc -b` first):
 * a presence standalone, forked generator processes, ~2 s of PUBLISH at a
 * low rate, then the JSON result.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = join(ROOT, 'loadtest/dist/bench-main.js');

describe('bench smoke', () => {
  const children = new Children();
  let out: string | undefined;

  afterEach(async () => {
    await children.killAll();
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  /** Runs the built bench for 2 s of PUBLISH at 20/s (10 presentities × 5 watchers) and returns its stdout and JSON result. */
  async function runBench(...extra: string[]): Promise<{ stdout: string; result: TargetResult; results: TargetResult[] }> {
    return runBenchAgainst('standalone', ...extra);
  }

  async function runBenchAgainst(mode: 'standalone' | 'cluster', ...extra: string[]): Promise<{ stdout: string; result: TargetResult; results: TargetResult[] }> {
    expect(existsSync(BENCH), `${BENCH} missing: run npx tsc -b first`).toBe(true);
    out = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    const args = ['--mode', mode, '--presentities', '10', '--watchers', '5', '--rate', '20', '--duration', '2', '--drain', '3', '--workers', '2', '--out', out, ...extra];
    const child = children.spawn(process.execPath, [BENCH, ...args], { cwd: ROOT });
    const { code } = await child.exit(60_000);
    expect(code, child.stderr()).toBe(0);
    expect(child.stdout()).toMatch(/PUBLISH steps/);
    const [file] = await readdir(out);
    expect(file).toMatch(new RegExp(`-${mode}\\.json$`));
    const { results } = JSON.parse(await readFile(join(out, file!), 'utf8')) as { results: TargetResult[] };
    return { stdout: child.stdout(), result: results[0]!, results };
  }

  it('bench smoke - 2 s at 20 PUBLISH/s against standalone: every watcher notified, latencies recorded', async () => {
    const { stdout, result } = await runBench();
    expect(stdout).toMatch(/standalone\s+udp\s+10\s+5\s+20/);
    expect(result.subscribe).toMatchObject({ subscriptions: 50, subscribed: 50, subscribeFailed: 0, initialNotifies: 50 });
    const step = result.steps[0]!.summary;
    expect(step.publishAccepted).toBeGreaterThanOrEqual(30);
    expect(step.publishErrors + step.publishTimeouts).toBe(0);
    expect(step.notifies).toBe(step.publishAccepted * 5);
    expect(step.latency.count).toBe(step.notifies);
    expect(step.latency.p50Ms).toBeGreaterThan(0);
    expect(step.latency.maxMs).toBeLessThan(5000);
    expect(step.stale).toBe(0);
    // one (watcher, change) pair per accepted PUBLISH and watcher of its presentity, each one seen
    expect(step.changesOwed).toBe(step.publishAccepted * 5);
    expect(step.changesDelivered).toBe(step.changesOwed);
    expect(step.notifyRetransmissions + result.subscribe.notifyRetransmissions).toBe(0);
    expect(stdout).toMatch(/100\.00%/);
    expect(result.memory.end.processes[0]!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(result.server).toMatchObject({ publishRequests: step.publishSent, notifiesOk: step.notifies });
    expect(result.subscribe.challengesAnswered + step.challengesAnswered).toBe(0);
    expect(result.server).toMatchObject({ authChallenges: 0, authSuccesses: 0 });
  }, 90_000);

  it('bench smoke - --auth digest: every AOR answers one challenge, then reuses its nonce; nothing lost, no error', async () => {
    const { stdout, result } = await runBench('--auth', 'digest');
    expect(stdout).toMatch(/standalone\+digest\s+udp\s+10\s+5\s+20/);
    // each watcher: its REGISTER is challenged, its SUBSCRIBE goes with the same nonce (nc 2)
    expect(result.subscribe).toMatchObject({ subscribed: 50, subscribeFailed: 0, registerOk: 50, registerFailed: 0, initialNotifies: 50, challengesAnswered: 50, staleChallenges: 0 });
    expect(result.subscribe.errorCodes).toEqual({});
    // each publisher: its first PUBLISH (in the warm-up) is challenged; the measured ones are not
    expect(result.warmup).toMatchObject({ challengesAnswered: 10, publishErrors: 0, publishTimeouts: 0 });
    const step = result.steps[0]!.summary;
    expect(step.publishAccepted).toBeGreaterThanOrEqual(30);
    expect(step).toMatchObject({ publishErrors: 0, publishTimeouts: 0, sendFailures: 0, challengesAnswered: 0, stale: 0, terminated: 0, errorCodes: {} });
    expect(step.notifies).toBe(step.publishAccepted * 5);
    expect(step.changesDelivered).toBe(step.changesOwed);
    expect(step.changesOwed).toBe(step.publishAccepted * 5);
    // the server's view: every PUBLISH of the step authenticated, none challenged
    expect(result.server).toMatchObject({ publishRequests: step.publishSent, notifiesOk: step.notifies, authChallenges: 0, authSuccesses: step.publishSent });
  }, 90_000);

  it('bench smoke - cluster 1 edge + 2 agents: a CPU table per process (edge, agents, NATS, Redis) with positive µs per NOTIFY and PUBLISH', async () => {
    // 200/s for 3 s: enough work that each process (Redis too) runs for several 10 ms clock ticks of /proc/<pid>/stat
    const { stdout, result } = await runBenchAgainst('cluster', '--edges', '1', '--agents', '2', '--rate', '200', '--duration', '3');
    const step = result.steps[0]!.summary;
    expect(step.changesDelivered).toBe(step.changesOwed);
    const byProcess = step.serverCpu?.byProcess ?? {};
    const processes = Object.keys(byProcess);
    expect(processes.map((name) => name.replace(/-\d+$/, '')).sort()).toEqual(['agent', 'agent', 'edge', 'nats-server', 'redis-server']);
    expect(Object.values(byProcess).reduce((a, b) => a + b, 0)).toBeCloseTo(step.serverCpu!.cpuSeconds, 6);
    const table = stdout.slice(stdout.indexOf('CPU per process over each PUBLISH step'));
    for (const process of [...processes, 'all']) {
      // target, rate, process, CPU s, cores, share, µs/NOTIFY, µs/PUBLISH
      const row = new RegExp(`^cluster 1e/2a\\s+200\\s+${process}\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)%\\s+(\\S+)\\s+(\\S+)$`, 'm').exec(table);
      expect(row, `${process} row in\n${table}`).not.toBeNull();
      const [perNotify, perPublish] = [Number(row![4]), Number(row![5])];
      expect(perNotify, `${process} µs/NOTIFY`).toBeGreaterThan(0);
      expect(perPublish, `${process} µs/PUBLISH`).toBeGreaterThan(perNotify);
    }
  }, 120_000);

  it('bench smoke - --watcher-profile full,filtered: the same workload twice; the filtered watchers get only the basic status, so fewer bytes per change', async () => {
    const { stdout, results } = await runBench('--watcher-profile', 'full,filtered');
    expect(results.map((r) => r.label)).toEqual(['standalone [full]', 'standalone [filtered]']);
    expect(stdout).toMatch(/watcher profiles/);
    expect(stdout).toMatch(/standalone \[filtered\]\s+\d+\s+\d+\s+[\d.]+\s+\d+/);
    const [full, filtered] = results.map((r) => r.steps[0]!.summary);
    for (const step of [full!, filtered!]) {
      expect(step.publishAccepted).toBeGreaterThanOrEqual(30);
      expect(step).toMatchObject({ publishErrors: 0, publishTimeouts: 0, terminated: 0, unknownDialog: 0, refreshesSent: 50, refreshNotifies: 50 });
    }
    // Full documents carry the publisher's timestamp note; the filter leaves only the basic status, and every PUBLISH toggles it.
    expect(full!.notifies).toBe(full!.publishAccepted * 5);
    expect(filtered!).toMatchObject({ notifies: 0, notifiesWithoutTimestamp: filtered!.publishAccepted * 5 });
    const perNotify = (s: typeof full) => s!.notifyBytes / (s!.notifies + s!.notifiesWithoutTimestamp);
    expect(perNotify(filtered)).toBeLessThan(perNotify(full));
    expect(filtered!.refreshBytes / 50).toBeLessThan(full!.refreshBytes / 50);
  }, 120_000);
});
