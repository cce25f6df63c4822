import { readFile } from 'node:fs/promises';
import { memorySlope, type HeldMemory } from './modes/memory-per-subscription.js';
import { renderTable } from './report/text-table.js';

/**
 * `node loadtest/dist/memory-slope-main.js SMALLER.json LARGER.json`: the
 * bytes one more held subscription costs, per process and in Redis, from two
 * `npm run bench -- --memory` results of the same target at two counts
 * (e.g. --subscriptions 20000 and 100000). The bench's bytes/sub is the
 * average of one run, fixed growth included; this is the slope between two.
 */
const USAGE = 'usage: node loadtest/dist/memory-slope-main.js SMALLER-RUN.json LARGER-RUN.json (bench --memory results of one target)';

async function heldMemory(path: string): Promise<HeldMemory> {
  const run = JSON.parse(await readFile(path, 'utf8')) as { results?: { subscribe: { subscribed: number }; memory: { afterSubscribe: HeldMemory['afterSubscribe'] } }[] };
  const result = run.results?.[0];
  if (result === undefined) throw new Error(`${path}: no bench result in it`);
  return { subscribed: result.subscribe.subscribed, afterSubscribe: result.memory.afterSubscribe };
}

async function main(): Promise<void> {
  const [smallerPath, largerPath] = process.argv.slice(2);
  if (smallerPath === undefined || largerPath === undefined) throw new Error('two result files are needed');
  const smaller = await heldMemory(smallerPath);
  const larger = await heldMemory(largerPath);
  const slope = memorySlope(smaller, larger);
  const rows = slope.processes.map((p) => [p.name, p.rssSlope.toFixed(0), p.heapSlope === undefined ? '-' : p.heapSlope.toFixed(0)]);
  if (slope.redisSlope !== undefined) rows.push(['redis (used_memory)', slope.redisSlope.toFixed(0), '-']);
  process.stdout.write(`bytes per extra held subscription between ${smaller.subscribed} and ${larger.subscribed} (slope; the bench's bytes/sub is one run's average)\n`);
  process.stdout.write(`${renderTable([{ title: 'process' }, { title: 'RSS bytes/sub', align: 'right' }, { title: 'heap bytes/sub', align: 'right' }], rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
