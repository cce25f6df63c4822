import type { BenchConfig } from '../cli/bench-config.js';
import type { BytesPerSubscription } from '../modes/memory-per-subscription.js';
import type { TargetResult } from '../modes/run-workload.js';
import { formatBytes, formatMs, formatPercent, formatRate, shortName } from './format.js';
import { renderTable, type Column } from './text-table.js';

const STEP_COLUMNS: Column[] = [
  { title: 'target' },
  { title: 'tp' },
  { title: 'P', align: 'right' },
  { title: 'W', align: 'right' },
  { title: 'rate', align: 'right' },
  { title: 'PUB/s', align: 'right' },
  { title: 'NOTIFY/s', align: 'right' },
  { title: 'p50 ms', align: 'right' },
  { title: 'p90 ms', align: 'right' },
  { title: 'p99 ms', align: 'right' },
  { title: 'max ms', align: 'right' },
  { title: 'errors', align: 'right' },
  { title: 'timeouts', align: 'right' },
  { title: '401s', align: 'right' },
  { title: 'stale', align: 'right' },
  { title: 'delivered', align: 'right' },
  { title: 're-NOTIFY', align: 'right' },
  { title: 'held' },
  { title: 'CPU', align: 'right' },
  { title: 'NOTIFY/CPU-s', align: 'right' },
  { title: 'RSS' },
  { title: 'Redis' },
];

/** One row per PUBLISH step (a plain run has one; find-max one per rate tried). */
export function stepTable(config: BenchConfig, results: readonly TargetResult[]): string {
  const rows = results.flatMap((result) =>
    result.steps.map(({ summary: s, held }) => {
      const errors = s.publishErrors + s.sendFailures + s.terminated + s.unknownDialog;
      const rss = result.memory.end.processes.map((p) => `${shortName(p.name)} ${formatBytes(p.rssBytes)}`).join(' ');
      return [
        result.label,
        config.transport,
        String(config.presentities),
        String(config.watchers),
        formatRate(s.targetRate),
        formatRate(s.publishPerSecond),
        formatRate(s.notifyPerSecond),
        formatMs(s.latency.p50Ms, s.latency.count),
        formatMs(s.latency.p90Ms, s.latency.count),
        formatMs(s.latency.p99Ms, s.latency.count),
        formatMs(s.latency.maxMs, s.latency.count),
        String(errors),
        String(s.publishTimeouts),
        String(s.challengesAnswered),
        String(s.stale),
        formatPercent(s.deliveredRate),
        String(s.notifyRetransmissions),
        held ? 'yes' : 'no',
        s.serverCpu === undefined ? '-' : (s.serverCpu.cpuSeconds / s.serverCpu.wallSeconds).toFixed(2),
        s.serverCpu === undefined || s.serverCpu.cpuSeconds <= 0 ? '-' : formatRate(s.notifies / s.serverCpu.cpuSeconds),
        rss || '-',
        formatBytes(result.memory.end.redis?.usedMemoryBytes),
      ];
    }),
  );
  return renderTable(STEP_COLUMNS, rows);
}

const SUBSCRIBE_COLUMNS: Column[] = [
  { title: 'target' },
  { title: 'subscriptions', align: 'right' },
  { title: 'subscribed', align: 'right' },
  { title: 'SUB/s', align: 'right' },
  { title: 'SUB p99 ms', align: 'right' },
  { title: 'failed', align: 'right' },
  { title: 'timeouts', align: 'right' },
  { title: '401s', align: 'right' },
  { title: 'REG failed', align: 'right' },
  { title: 'no initial NOTIFY', align: 'right' },
  { title: 're-NOTIFY', align: 'right' },
  { title: 'CPU µs/SUB', align: 'right' },
];

export function subscribeTable(results: readonly TargetResult[]): string {
  return renderTable(
    SUBSCRIBE_COLUMNS,
    results.map(({ label, subscribe: s, subscribeCpuSeconds: cpu }) => [
      label,
      String(s.subscriptions),
      String(s.subscribed),
      formatRate(s.subscribesPerSecond),
      formatMs(s.subscribeRtt.p99Ms, s.subscribeRtt.count),
      String(s.subscribeFailed + s.sendFailures),
      String(s.subscribeTimeouts),
      String(s.challengesAnswered),
      String(s.registerFailed + s.registerTimeouts),
      String(s.missingInitialNotifies),
      String(s.notifyRetransmissions),
      // Per dialog set up: its SUBSCRIBE, initial NOTIFY and (unless --skip-register) REGISTER, every target process.
      cpu === undefined || s.subscribed === 0 ? '-' : ((cpu * 1e6) / s.subscribed).toFixed(0),
    ]),
  );
}

const MEMORY_COLUMNS: Column[] = [
  { title: 'target' },
  { title: 'process' },
  { title: 'before', align: 'right' },
  { title: 'subscribed', align: 'right' },
  { title: 'bytes/sub', align: 'right' },
  { title: 'heap bytes/sub', align: 'right' },
  { title: 'source' },
];

/** Memory before and after the subscribe phase, per process and for Redis. */
export function memoryTable(results: readonly TargetResult[]): string {
  const rows = results.flatMap((result) => {
    const cost = result.memoryCost;
    const rows = cost.processes.map((p) => {
      const source = result.memory.afterSubscribe.processes.find((x) => x.name === p.name)?.source;
      return [
        result.label,
        p.name,
        formatBytes(p.rssBeforeBytes),
        formatBytes(p.rssAfterBytes),
        p.rssPerSubscription.toFixed(0),
        p.heapPerSubscription === undefined ? '-' : p.heapPerSubscription.toFixed(0),
        source === 'proc' ? 'PSS (/proc)' : 'RSS (/metrics)',
      ];
    });
    for (const [role, members] of rolesWithSeveralProcesses(cost.processes)) {
      const sum = (pick: (p: BytesPerSubscription) => number | undefined): string => members.reduce((total, p) => total + (pick(p) ?? 0), 0).toFixed(0);
      rows.push([result.label, `${role} ×${members.length}`, '', '', sum((p) => p.rssPerSubscription), sum((p) => p.heapPerSubscription), `sum: each holds a share`]);
    }
    const before = result.memory.baseline.redis;
    const after = result.memory.afterSubscribe.redis;
    if (before !== undefined && after !== undefined && cost.redisPerSubscription !== undefined) {
      rows.push([result.label, 'redis', formatBytes(before.usedMemoryBytes), formatBytes(after.usedMemoryBytes), cost.redisPerSubscription.toFixed(0), '-', `used_memory, +${cost.redisKeysAdded ?? 0} keys`]);
    }
    return rows;
  });
  return renderTable(MEMORY_COLUMNS, rows);
}

/** Processes of one role (edge-3, edge-4 → edge) when there are several: bytes/sub divides by all subscriptions, so the role's cost is their sum. */
function rolesWithSeveralProcesses(processes: readonly BytesPerSubscription[]): Map<string, BytesPerSubscription[]> {
  const roles = new Map<string, BytesPerSubscription[]>();
  for (const p of processes) {
    const role = p.name.replace(/-\d+$/, '');
    roles.set(role, [...(roles.get(role) ?? []), p]);
  }
  for (const [role, members] of roles) if (members.length < 2) roles.delete(role);
  return roles;
}
