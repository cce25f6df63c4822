import type { BenchConfig } from '../cli/bench-config.js';
import type { TargetResult } from '../modes/run-workload.js';
import { formatBytes, formatMs, formatRate, shortName } from './format.js';
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
  { title: 'stale', align: 'right' },
  { title: 'held' },
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
        String(s.stale),
        held ? 'yes' : 'no',
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
  { title: 'REG failed', align: 'right' },
  { title: 'no initial NOTIFY', align: 'right' },
];

export function subscribeTable(results: readonly TargetResult[]): string {
  return renderTable(
    SUBSCRIBE_COLUMNS,
    results.map(({ label, subscribe: s }) => [
      label,
      String(s.subscriptions),
      String(s.subscribed),
      formatRate(s.subscribesPerSecond),
      formatMs(s.subscribeRtt.p99Ms, s.subscribeRtt.count),
      String(s.subscribeFailed + s.sendFailures),
      String(s.subscribeTimeouts),
      String(s.registerFailed + s.registerTimeouts),
      String(s.missingInitialNotifies),
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
    const before = result.memory.baseline.redis;
    const after = result.memory.afterSubscribe.redis;
    if (before !== undefined && after !== undefined && cost.redisPerSubscription !== undefined) {
      rows.push([result.label, 'redis', formatBytes(before.usedMemoryBytes), formatBytes(after.usedMemoryBytes), cost.redisPerSubscription.toFixed(0), '-', `used_memory, +${cost.redisKeysAdded ?? 0} keys`]);
    }
    return rows;
  });
  return renderTable(MEMORY_COLUMNS, rows);
}
