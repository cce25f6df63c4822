import { formatBytes, formatMs, formatRate, shortName } from '../report/format.js';
import { renderTable, type Column } from '../report/text-table.js';
import type { SeriesDrift } from './drift.js';
import type { SoakRow, SoakSummary } from './soak-summary.js';

/** 125 → "2:05"; hours when there are any: "1:02:05". */
export function formatElapsed(seconds: number): string {
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A row per reading (or per --row-every readings): load, latency, and each process's RSS / heap after a GC. */
export function rowsTable(rows: readonly SoakRow[]): string {
  const names = [...new Set(rows.flatMap((r) => r.sample.processes.map((p) => p.name)))];
  const redis = rows.some((r) => r.sample.redis !== undefined);
  const columns: Column[] = [
    { title: 'time' },
    { title: 'req/s', align: 'right' },
    { title: 'NOTIFY/s', align: 'right' },
    { title: 'failed', align: 'right' },
    { title: 'p50 ms', align: 'right' },
    { title: 'p99 ms', align: 'right' },
    { title: 'subs', align: 'right' },
    ...names.map((name) => ({ title: `${shortName(name)} RSS/heap`, align: 'right' as const })),
    ...(redis ? [{ title: 'Redis', align: 'right' as const }] : []),
  ];
  const body = rows.map((r) => {
    const memory = names.map((name) => {
      const p = r.sample.processes.find((x) => x.name === name);
      return p === undefined ? '-' : `${formatBytes(p.rssBytes)}/${formatBytes(p.heapUsedBytes)}`;
    });
    return [
      formatElapsed(r.atS),
      formatRate(r.requestsPerSecond),
      formatRate(r.notifiesPerSecond),
      String(r.failures),
      formatMs(r.latency.p50Ms, r.latency.count),
      formatMs(r.latency.p99Ms, r.latency.count),
      r.sample.serverSubscriptions === undefined ? '-' : String(r.sample.serverSubscriptions),
      ...memory,
      ...(redis ? [formatBytes(r.sample.redis?.usedMemoryBytes)] : []),
    ];
  });
  return renderTable(columns, body);
}

/** Memory drift per process after the warm-up, latency first vs last window, failures, verdict. */
export function driftReport(summary: SoakSummary, warmupS: number): string {
  const heapOf = new Map(summary.heap.map((d) => [d.name, d]));
  const columns: Column[] = [
    { title: 'process' },
    { title: 'RSS first→last MB' },
    { title: 'RSS MB/h', align: 'right' },
    { title: 'RSS growth MB', align: 'right' },
    { title: 'heap first→last MB' },
    { title: 'heap MB/h', align: 'right' },
    { title: 'heap growth MB', align: 'right' },
  ];
  const cells = (d: SeriesDrift | undefined): string[] =>
    d === undefined ? ['-', '-', '-'] : [`${d.firstMb.toFixed(1)}→${d.lastMb.toFixed(1)}`, d.slopeMbPerHour.toFixed(1), d.fittedGrowthMb.toFixed(2)];
  const rows = summary.rss.map((d) => [d.name, ...cells(d), ...cells(heapOf.get(d.name))]);
  if (summary.redis !== undefined) rows.push(['redis used_memory', ...cells(summary.redis), '-', '-', '-']);
  const { first, last, windowS } = summary.latency;
  const codes = Object.entries(summary.failureCodes).map(([code, n]) => `${code}×${n}`).join(', ');
  const lines = [
    `drift after the ${formatElapsed(warmupS)} warm-up (least-squares fit; growth = slope × the judged span)`,
    renderTable(columns, rows),
    '',
    `PUBLISH→NOTIFY latency, first vs last ${Math.round(windowS)} s judged: p50 ${formatMs(first.p50Ms, first.count)} → ${formatMs(last.p50Ms, last.count)} ms, ` +
      `p99 ${formatMs(first.p99Ms, first.count)} → ${formatMs(last.p99Ms, last.count)} ms (${first.count} and ${last.count} NOTIFYs)`,
    `requests ${summary.requests}, failed ${summary.failures}${codes === '' ? '' : ` (${codes})`}, of which after the warm-up ${summary.judgedFailures} of ${summary.judgedRequests}; dialogs ended by the server ${summary.terminatedByServer}; NOTIFYs ${summary.notifies}`,
    summary.verdict.passed ? 'verdict: PASSED' : `verdict: FAILED\n${summary.verdict.reasons.map((r) => `  - ${r}`).join('\n')}`,
  ];
  return lines.join('\n');
}
