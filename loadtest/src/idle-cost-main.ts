import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '@presence/dev-tools';
import { cpuTicks, runCostTool, wholeNumber } from './cost-figures.js';

/**
 * `node loadtest/dist/idle-cost-main.js [--seconds S] [--settle S]`: what an
 * idle cluster (1 edge, 2 agents, its own nats-server and redis-server) spends
 * per second with no traffic at all: lease renewals, the partition census, the
 * expiry sweep, NATS pings. Under load this work is spread over the PUBLISHes
 * (the cluster bench's µs per PUBLISH falls with the rate because of it).
 * Prints each process's CPU in ms per second of the window, after `--settle`
 * seconds for the agents to share the partitions out.
 */
const USAGE = 'usage: node loadtest/dist/idle-cost-main.js [--seconds S (30)] [--settle S (10)]';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, settle: { type: 'string', default: '10' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const seconds = wholeNumber('--seconds', values.seconds, 3600);
  const settle = wholeNumber('--settle', values.settle, 3600);
  const cluster = await startLocalCluster({ edges: 1, agents: 2, logLevel: 'warn' });
  try {
    await sleep(settle * 1000);
    const processes = [
      ...cluster.edges.map((edge) => ({ name: edge.process.id, pid: edge.process.child.process.pid })),
      ...cluster.agents.map((agent) => ({ name: agent.id, pid: agent.child.process.pid })),
      { name: 'nats-server', pid: cluster.nats.pid },
      { name: 'redis-server', pid: cluster.redis.pid },
    ];
    const before = await Promise.all(processes.map((p) => cpuTicks(p.pid, p.name)));
    await sleep(seconds * 1000);
    const after = await Promise.all(processes.map((p) => cpuTicks(p.pid, p.name)));
    // A clock tick is 10 ms: ticks × 10 / seconds = ms of CPU per second.
    const msPerSecond = Object.fromEntries(processes.map((p, i) => [p.name, Math.round(((after[i]! - before[i]!) * 100) / seconds) / 10]));
    const all = Math.round(Object.values(msPerSecond).reduce((sum, ms) => sum + ms, 0) * 10) / 10;
    process.stdout.write(`${JSON.stringify({ seconds, cpuMsPerSecond: { ...msPerSecond, all } })}\n`);
  } finally {
    await cluster.stop();
  }
}

runCostTool(main, USAGE);
