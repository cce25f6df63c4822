import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Children, startLocalCluster, type LocalCluster } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';

/**
 * Watchers must never miss a change acknowledged to its publisher, and never
 * see a NOTIFY again after answering it (issue "Cluster: watchers miss
 * presence changes when two presence agents share the load"). The load
 * generator (`npm run bench`, built dist/) subscribes P×W watchers in one
 * burst — the shape that used to pile SUBSCRIBEs up in the edge's receive
 * buffer, so the 200s to initial NOTIFYs were read after Timer E had fired —
 * then publishes changes, records every NOTIFY each watcher gets and counts,
 * per (watcher, accepted PUBLISH), what arrived.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH = join(ROOT, 'loadtest/dist/bench-main.js');
const PRESENTITIES = 300;
const WATCHERS = 10;

interface Counts {
  readonly notifyRetransmissions: number;
  readonly [key: string]: unknown;
}

describe.runIf(clusterTierAvailable())('cluster delivery under a subscribe burst', () => {
  const children = new Children();
  let cluster: LocalCluster | undefined;
  let out: string | undefined;

  afterEach(async () => {
    await children.killAll();
    await cluster?.stop();
    cluster = undefined;
    if (out !== undefined) await rm(out, { recursive: true, force: true });
    out = undefined;
  });

  it.each([2, 3])(
    'delivery - 1 edge and %i agents: every watcher gets every change in order, and no NOTIFY again after its 200',
    async (agents) => {
      expect(existsSync(BENCH), `${BENCH} missing: run npx tsc -b first`).toBe(true);
      cluster = await startLocalCluster({ edges: 1, agents, partitions: 64 });
      await cluster.settled();
      out = await mkdtemp(join(tmpdir(), 'cluster-delivery-'));
      const edge = cluster.edges[0]!;
      const args = [
        '--target', `127.0.0.1:${edge.sipPort}`,
        '--metrics-url', `${edge.process.httpUrl}/metrics`,
        '--presentities', String(PRESENTITIES),
        '--watchers', String(WATCHERS),
        // Every REGISTER and SUBSCRIBE of a generator process outstanding at once: a burst.
        '--concurrency', String(PRESENTITIES * WATCHERS),
        '--workers', '2',
        '--rate', '150',
        '--duration', '4',
        '--drain', '5',
        '--out', out,
      ];
      const bench = children.spawn(process.execPath, [BENCH, ...args], { cwd: ROOT });
      const { code } = await bench.exit(120_000);
      expect(code, bench.stderr()).toBe(0);
      const [file] = await readdir(out);
      const { results } = JSON.parse(await readFile(join(out, file!), 'utf8')) as {
        results: { subscribe: Counts & { subscribed: number; errorCodes: Record<string, number> }; warmup: Counts; steps: { summary: Counts }[] }[];
      };
      const [result] = results;
      const { subscribe } = result!;
      const steps = [result!.warmup, ...result!.steps.map((s) => s.summary)];
      const report = JSON.stringify({ subscribe, steps }, null, 1);

      // An edge that reads its 200s in time retransmits no NOTIFY that was answered.
      expect(subscribe.notifyRetransmissions, report).toBe(0);
      for (const step of steps) expect(step.notifyRetransmissions, report).toBe(0);
      // Whatever the burst cost (a SUBSCRIBE turned away with 503 is the generator's to retry), every watcher
      // that holds a subscription is owed every change of its presentity.
      expect(subscribe.subscribed, report).toBeGreaterThan(0);
      for (const step of steps) {
        expect(step.changesOwed, report).toBeGreaterThan(0);
        // delivered, or superseded by a later change (coalescing keeps the latest state) — never skipped at the end
        expect((step.changesDelivered as number) + (step.changesSuperseded as number), report).toBe(step.changesOwed);
        expect(step.stale, report).toBe(0);
        expect(step.stateRegressions, report).toBe(0);
        expect(step.terminated, report).toBe(0);
      }
    },
    180_000,
  );
});
