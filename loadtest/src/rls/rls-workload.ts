import type { BenchConfig } from '../cli/bench-config.js';
import { formatMs, formatRate } from '../report/format.js';
import { renderTable } from '../report/text-table.js';
import { runRecord, writeResult } from '../report/write-result.js';
import { runRlsBench, type RlsResult } from './rls-bench.js';

/** The list sizes issue #14 asks for. */
const LIST_SIZES = [100, 1000];

const COLUMNS = [
  { title: 'target' },
  { title: 'shape' },
  ...['L', 'W', 'P', 'PUBLISH', 'NOTIFY', 'NOTIFY/s', 'body B/NOTIFY', 'body B/PUBLISH', 'CPU ms/PUBLISH', 'p99 ms', 'delivered %', 'heap B/member', 'RSS B/member'].map((title) => ({ title, align: 'right' as const })),
];

/** `npm run bench -- --workload rls`: one run per list size, a table on stdout, JSON in --out. */
export async function runRlsWorkload(config: BenchConfig, log: (line: string) => void): Promise<void> {
  const startedAt = new Date();
  const results: RlsResult[] = [];
  // Each size as lists, then the same watchers and presentities as single subscriptions: messages, bytes and CPU side by side.
  for (const size of LIST_SIZES) for (const shape of ['list', 'singles'] as const) results.push(await runRlsBench(config, size, shape, log));
  const bytes = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));
  const rows = results.map((r) => [
    r.label,
    r.shape,
    String(r.listSize),
    String(r.watchers),
    String(r.presentities),
    String(r.publishes),
    String(r.notifies),
    formatRate(r.notifyPerSecond),
    r.bytesPerNotify.toFixed(0),
    r.notifyBytesPerPublish.toFixed(0),
    r.cpuMsPerPublish === undefined ? '-' : r.cpuMsPerPublish.toFixed(2),
    formatMs(r.p99Ms),
    r.deliveredPct.toFixed(1),
    bytes(r.heapBytesPerMember),
    bytes(r.rssBytesPerMember),
  ]);
  const title = `resource lists (RFC 4662) over tcp: W watchers of L presentities out of P each, as one list subscription or L single ones, PUBLISH at ${config.rate}/s for ${config.durationS} s (p99: PUBLISH → the NOTIFY (part) carrying it; delivered: member states / (watcher, PUBLISH) pairs owed; CPU: every target process; memory: growth from the subscriptions / W×L)`;
  process.stdout.write(`\n${title}\n${renderTable(COLUMNS, rows)}\n`);
  const path = await writeResult(config.outDir, `rls-${config.mode}`, { ...runRecord(startedAt, config), results });
  process.stdout.write(`\nresults: ${path}\n`);
}
