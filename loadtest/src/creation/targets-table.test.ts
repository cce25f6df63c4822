import { describe, expect, it } from 'vitest';
import type { GeneratorName, TargetMode } from '../cli/bench-config.js';
import type { TargetResult } from '../modes/run-workload.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { CreationTargetResult } from './creation-bench.js';
import { creationTable } from './creation-report.js';
import type { CreationStep, CreationWorkload } from './creation-step.js';
import { targetRows, targetsTable, type TargetRow } from './targets-table.js';

/** A fan-out result with the given steps [rate, NOTIFY/s, p99 ms, held] and memory (bytes per subscription, per process). */
function fanout(mode: TargetMode, generatedBy: GeneratorName, steps: ReadonlyArray<readonly [number, number, number, boolean]>, memory: Record<string, number>, redis?: number, findMax = true): TargetResult {
  const held = steps.filter((s) => s[3]).map((s) => s[0]);
  return {
    mode,
    generatedBy,
    label: mode,
    steps: steps.map(([targetRate, notifyPerSecond, p99Ms, ok]) => ({ held: ok, reasons: [], summary: { targetRate, notifyPerSecond, deliveredRate: ok ? 1 : 0.9, latency: { count: 100, p99Ms } } })),
    ...(findMax ? { findMax: { maxHeldRate: held.length === 0 ? undefined : Math.max(...held), firstFailedRate: undefined } } : {}),
    memoryCost: { subscriptions: 10_000, processes: Object.entries(memory).map(([name, rssPerSubscription]) => ({ name, rssPerSubscription })), ...(redis === undefined ? {} : { redisPerSubscription: redis }) },
  } as unknown as TargetResult;
}

function step(targetRate: number, completed: number, p99Ms = 20): CreationStep {
  const latency = new LatencyHistogram();
  latency.recordMs(p99Ms);
  return { targetRate, windowS: 10, attempted: targetRate * 10, completed, errorCodes: {}, unfinished: targetRate * 10 - completed, retransmissions: 0, setup: latency.summary(), serverCpuSeconds: 1, generatorCpuPctMax: 5 };
}

/** A ramp that held every rate in `held` and failed at `failed`. */
function creation(workload: CreationWorkload, mode: TargetMode, generatedBy: GeneratorName, held: readonly number[], failed: number | undefined): CreationTargetResult {
  const steps = [...held.map((r) => ({ step: step(r, r * 10), held: true, reasons: [] })), ...(failed === undefined ? [] : [{ step: step(failed, failed * 5), held: false, reasons: ['failed 50.00% ≥ 1%'] }])];
  return { workload, mode, generatedBy, label: `${mode} (${generatedBy})`, ramp: { steps, maxHeldRate: held.at(-1), failedRate: failed } };
}

const row = (rows: readonly TargetRow[], prefix: string, generator: string = 'native'): TargetRow | undefined => rows.find((r) => r.target.startsWith(prefix) && r.generator === generator);

describe('issue #17 targets table', () => {
  const standaloneRun = {
    mode: 'standalone' as const,
    fanout: [
      fanout('standalone', 'native', [[250, 2500, 20, true], [500, 5000, 40, true], [750, 7400, 90, false]], { standalone: 1500 }),
      fanout('kamailio', 'native', [[250, 2500, 15, true], [500, 4900, 60, true], [750, 7100, 150, false]], { kamailio: 3000 }),
    ],
    creation: [
      creation('publish-new', 'standalone', 'native', [500, 1000, 2000], 4000),
      creation('publish-new', 'kamailio', 'native', [500, 1000, 2000, 4000], 8000),
      creation('subscribe-setup', 'standalone', 'native', [500, 1000, 2000, 4000, 8000], 16000),
      creation('subscribe-setup', 'kamailio', 'native', [500, 1000, 2000], 4000),
    ],
    settledMemory: false,
  };

  it('targets table - standalone: each target\'s figure, Kamailio\'s, the ratio and met/missed, from the run\'s own steps', () => {
    const rows = targetRows(standaloneRun);
    expect(row(rows, 'standalone fan-out: held')).toMatchObject({ measured: '5000 at 500 PUB/s', reference: '4900 at 500 PUB/s', ratio: '×1.02', verdict: 'missed' });
    // 250/s: 20 vs 15 ms is worse than Kamailio's; 500/s better; the worst decides
    expect(row(rows, 'standalone fan-out: p99')).toMatchObject({ measured: '20.0 ms at 250/s', reference: '15.0 ms', ratio: '×1.33', verdict: 'missed', note: 'worst of 2 rate(s) both held; lower is better' });
    expect(row(rows, 'standalone SUBSCRIBE')).toMatchObject({ measured: '8000/s, p99 20.0 ms', reference: '2000/s, p99 20.0 ms', ratio: '×4.00', verdict: 'met' });
    expect(row(rows, 'standalone PUBLISH no watchers')).toMatchObject({ ratio: '×0.50', verdict: 'missed' });
    expect(row(rows, 'standalone memory')).toMatchObject({ measured: '1500 B', reference: '3000 B', ratio: '×0.50', verdict: 'met' });
    expect(row(rows, 'standalone memory')?.note).toMatch(/--memory settles first/);
    expect(row(rows, 'cluster fan-out', '-')).toMatchObject({ verdict: 'not measured in this run' });
  });

  it('targets table - what the run did not measure says so and is never judged: no Kamailio, no creation workload, no held step', () => {
    const rows = targetRows({ mode: 'standalone', fanout: [fanout('standalone', 'sipp', [[250, 2500, 20, true]], { standalone: 3000 }, undefined, false)], creation: [], settledMemory: true });
    expect(row(rows, 'standalone fan-out: held', 'sipp')).toMatchObject({ reference: 'not measured in this run', verdict: 'not measured in this run' });
    expect(row(rows, 'standalone fan-out: held', 'sipp')?.note).toMatch(/one step at --rate/);
    expect(row(rows, 'standalone fan-out: p99', 'sipp')).toMatchObject({ verdict: 'not measured in this run' });
    expect(row(rows, 'standalone SUBSCRIBE', '-')).toMatchObject({ verdict: 'not measured in this run' });
    expect(row(rows, 'standalone PUBLISH', '-')).toMatchObject({ verdict: 'not measured in this run' });
    // an absolute target needs no reference
    expect(row(rows, 'standalone memory', 'sipp')).toMatchObject({ measured: '3000 B', verdict: 'missed', note: '' });
    const failed = targetRows({ ...standaloneRun, fanout: [fanout('standalone', 'native', [[250, 2000, 300, false]], {}), standaloneRun.fanout[1]!] });
    expect(row(failed, 'standalone fan-out: held')).toMatchObject({ measured: 'none held', verdict: 'missed' });
  });

  it('targets table - cluster: ≥ 1× Kamailio, delivery, p99 at half the peak, 3,000 dialogs/s, edge and Redis bytes', () => {
    const rows = targetRows({
      mode: 'cluster',
      fanout: [
        fanout('cluster', 'native', [[250, 2500, 30, true], [500, 5000, 45, true], [1000, 9990, 80, true]], { 'edge-1': 600, 'edge-2': 500, 'agent-1': 300 }, 700),
        fanout('kamailio', 'native', [[250, 2500, 15, true], [500, 4900, 60, true], [1000, 7000, 300, false]], { kamailio: 3000 }),
      ],
      creation: [creation('subscribe-setup', 'cluster', 'native', [500, 1000, 2000], 4000), creation('subscribe-setup', 'kamailio', 'native', [500, 1000, 2000, 4000], 8000)],
      settledMemory: true,
    });
    expect(row(rows, 'cluster fan-out: held')).toMatchObject({ ratio: '×2.04', verdict: 'met' });
    expect(row(rows, 'cluster fan-out: ≥ 99.9%')).toMatchObject({ measured: '100.00% at 1000/s', verdict: 'met' });
    expect(row(rows, 'cluster fan-out: p99 ≤ 50 ms')).toMatchObject({ measured: '45.0 ms at 500/s', verdict: 'met', note: 'peak held 1000/s' });
    expect(row(rows, 'cluster SUBSCRIBE')).toMatchObject({ measured: '2000/s, p99 20.0 ms', ratio: '×0.50', verdict: 'missed' });
    expect(row(rows, 'cluster memory: ≤ 1 kB RSS')).toMatchObject({ measured: '1100 B', verdict: 'missed' });
    expect(row(rows, 'cluster memory: ≤ 1 kB in Redis')).toMatchObject({ measured: '700 B', verdict: 'met' });
    expect(row(rows, 'standalone PUBLISH', '-')).toMatchObject({ verdict: 'not measured in this run' });
  });

  it('targets table - renders one line per target row under a header', () => {
    const text = targetsTable(standaloneRun);
    expect(text.split('\n')).toHaveLength(2 + targetRows(standaloneRun).length);
    expect(text).toMatch(/^target \(issue #17\)\s+generator\s+ours\s+Kamailio\s+ratio\s+verdict\s+note/);
  });

  it('creation table - a row per step, the held rate per target, and ours/Kamailio per generator', () => {
    const text = creationTable('publish-new', standaloneRun.creation);
    expect(text).toMatch(/standalone \(native\): held 2000 new PUBLISH\/s, failed at 4000\/s/);
    expect(text).toMatch(/standalone \(native\) \/ kamailio \(native\): held ×0\.50 \(2000 vs 4000 new PUBLISH\/s\); CPU per op ×/);
    expect(text.split('\n').filter((l) => /^(standalone|kamailio) \(native\)\s+\d/.test(l))).toHaveLength(9);
    expect(text).not.toMatch(/new dialogs/);
    expect(text).not.toMatch(/warning/);
    const busy = { ...standaloneRun.creation[0]!, ramp: { ...standaloneRun.creation[0]!.ramp, steps: [{ step: { ...step(4000, 40000), generatorCpuPctMax: 97 }, held: true, reasons: [] }] } };
    expect(creationTable('publish-new', [busy])).toMatch(/^warning: standalone \(native\): the generator was over 90% of a core at 4000\/s \(97%\): it may have set the pace$/m);
    const failing = creationTable('subscribe-setup', [{ ...standaloneRun.creation[2]!, ramp: { ...standaloneRun.creation[2]!.ramp, steps: [{ step: { ...step(1000, 9000), errorCodes: { '503': 700, 'expected NOTIFY, got SIP/2.0 481 Call Does Not Exist': 300 }, unfinished: 0 }, held: false, reasons: [] }] } }]);
    expect(failing).toMatch(/^standalone \(native\)\s+1000\s+10000\s+9000\s+900\s+1000\s+0\s/m);
    expect(failing).toMatch(/^standalone \(native\) at 1000\/s failed: 700× 503; 300× expected NOTIFY, got SIP\/2\.0 481 Call Does Not Exist$/m);
  });
});
