import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { DEFAULT_CONCURRENCY, measureIpcCost, serveIpcCostSender, serveIpcCostWorker } from './ipc/ipc-cost.js';

/**
 * `node loadtest/dist/ipc-cost-main.js [--operations N] [--concurrency K]`: what a message
 * between standalone processes costs (IpcBus, IpcStore, a relayed SIP
 * datagram), in CPU microseconds per operation in each process; one JSON
 * line per figure. The basis of "Standalone on more than one core".
 */
const USAGE = `usage: node loadtest/dist/ipc-cost-main.js [--operations N (20000)] [--concurrency K (${DEFAULT_CONCURRENCY}): requests and store calls in flight, publications per turn]`;

async function main(): Promise<void> {
  if (process.env['IPC_COST_ROLE'] === 'sender') return serveIpcCostSender();
  if (!cluster.isPrimary) return serveIpcCostWorker();
  const { values } = parseArgs({ options: { operations: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const operations = Number(values.operations);
  if (!Number.isInteger(operations) || operations <= 0 || operations > 10_000_000) throw new Error(`--operations: "${values.operations}" is not a whole number in [1, 10000000]`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency <= 0 || concurrency > 10_000) throw new Error(`--concurrency: "${values.concurrency}" is not a whole number in [1, 10000]`);
  const figures = await measureIpcCost(operations, concurrency);
  for (const [name, figure] of Object.entries(figures)) process.stdout.write(`${JSON.stringify({ name, ...figure })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
