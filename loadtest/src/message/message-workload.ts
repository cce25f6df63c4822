import type { BenchConfig } from '../cli/bench-config.js';
import { formatMs, formatRate } from '../report/format.js';
import { renderTable } from '../report/text-table.js';
import { runRecord, writeResult } from '../report/write-result.js';
import { runMessageBench, type MessageTargetResult } from './message-bench.js';

const COLUMNS = [
  { title: 'target' },
  { title: 'phase' },
  ...['sent', 'delivered', 'errors', 'MESSAGE/s', 'p50 ms', 'p99 ms', 'CPU ms/MESSAGE'].map((title) => ({ title, align: 'right' as const })),
  { title: 'note' },
];

/** `npm run bench -- --workload message [--compare]`: the MESSAGE workload against --mode (and Kamailio), a table on stdout, JSON in --out. */
export async function runMessageWorkload(config: BenchConfig, log: (line: string) => void): Promise<void> {
  const startedAt = new Date();
  const results: MessageTargetResult[] = [];
  for (const mode of config.compare ? [config.mode, 'kamailio' as const] : [config.mode]) results.push(await runMessageBench(mode, config, log));
  const rows = results.flatMap((result) =>
    result.phases.map((p) =>
      p.skipped !== undefined
        ? [result.label, p.phase, '-', '-', '-', '-', '-', '-', '-', p.skipped]
        : [
            result.label,
            p.phase,
            String(p.sent),
            String(p.delivered),
            String(p.errors),
            formatRate(p.perSecond),
            formatMs(p.p50Ms),
            formatMs(p.p99Ms),
            p.serverCpuSecondsPerMessage === undefined ? '-' : (p.serverCpuSecondsPerMessage * 1000).toFixed(3),
            '',
          ],
    ),
  );
  const title = `MESSAGE over ${config.transport}, ${config.messages} per phase, ${config.concurrency} in flight (online: send → sender's 200, given after the recipient's 200; offline: recipient's REGISTER → arrival; CPU: every target process, NATS and Redis included)`;
  process.stdout.write(`\n${title}\n${renderTable(COLUMNS, rows)}\n`);
  const name = `message-${config.compare ? `${config.mode}-vs-kamailio` : config.mode}`;
  const path = await writeResult(config.outDir, name, { ...runRecord(startedAt, config), results });
  process.stdout.write(`\nresults: ${path}\n`);
}
