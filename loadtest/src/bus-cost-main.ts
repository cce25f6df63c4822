import { parseArgs } from 'node:util';
import type { BusMessage } from '@presence/bus';
import { LocalBus } from '@presence/bus';
import { connectNatsBus } from '@presence/bus/nats';
import { startNatsServer } from '@presence/dev-tools';
import { cpuTicks, runCostTool, wholeNumber } from './cost-figures.js';

/**
 * `node loadtest/dist/bus-cost-main.js [--requests N] [--parallel K]`: what
 * the NATS hops of one PUBLISH cost in the cluster, without its noise: an
 * "edge" bus sends K requests side by side to an "agent" bus (queue group),
 * which answers each after a macrotask (the Redis commit's reply) with the
 * agent's pattern: the change event published, then the reply a few awaits
 * later; the edge receives the change event too. Prints the CPU
 * microseconds per request in this process (both buses) and in its own
 * nats-server, and the wall time.
 *
 * `--bus local`: the same over one LocalBus, as standalone runs it (the
 * agent answers from the MemoryStore without a macrotask): this process's
 * CPU per request is all of it.
 */
const USAGE = 'usage: node loadtest/dist/bus-cost-main.js [--requests N (20000)] [--parallel K (4)] [--bus nats|local (nats)]';
const REQUEST = new TextEncoder().encode(JSON.stringify({ v: 1, type: 'publish', presentity: 'sip:p@example.com', body: 'x'.repeat(300) }));
const CHANGE = new TextEncoder().encode(JSON.stringify({ v: 1, type: 'change', presentity: 'sip:p@example.com', document: 'y'.repeat(400) }));
const REPLY = new TextEncoder().encode(JSON.stringify({ v: 1, type: 'published', etag: 'abcdefabcdef', expires: 3600 }));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, parallel: { type: 'string', default: '4' }, bus: { type: 'string', default: 'nats' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const requests = wholeNumber('--requests', values.requests, 10_000_000);
  const parallel = wholeNumber('--parallel', values.parallel, 1000);
  if (values.bus === 'local') return localBusCost(requests, parallel);
  if (values.bus !== 'nats') throw new Error(`--bus must be nats or local\n${USAGE}`);
  const nats = await startNatsServer();
  try {
    const agent = await connectNatsBus({ servers: nats.url, name: 'bus-cost-agent' });
    const edge = await connectNatsBus({ servers: nats.url, name: 'bus-cost-edge' });
    try {
      agent.subscribe('pa.7', (message) => answerLikeTheAgent(agent, message), { queue: 'agents' });
      let changes = 0;
      edge.subscribe('ch.7.>', () => void changes++);
      await edge.request('pa.7', REQUEST, { timeoutMs: 5_000 });
      const natsTicks = await cpuTicks(nats.pid, 'nats-server');
      const run = await measureRequests(edge, requests, parallel);
      const natsCpuUs = ((await cpuTicks(nats.pid, 'nats-server')) - natsTicks) * 10_000;
      const figure = (us: number): number => Math.round((us / run.total) * 10) / 10;
      process.stdout.write(`${JSON.stringify({ requests: run.total, parallel, changesSeen: changes, clientCpuUsPerRequest: figure(run.cpuUs), natsCpuUsPerRequest: figure(natsCpuUs), wallUsPerRequest: figure(run.wallMs * 1000) })}\n`);
    } finally {
      await Promise.all([edge.close(), agent.close()]);
    }
  } finally {
    await nats.stop();
  }
}

async function localBusCost(requests: number, parallel: number): Promise<void> {
  const bus = new LocalBus();
  try {
    bus.subscribe('pa.7', (message) => answerFromMemory(bus, message), { queue: 'agents' });
    let changes = 0;
    bus.subscribe('ch.7.>', () => void changes++);
    const run = await measureRequests(bus, requests, parallel);
    const figure = (us: number): number => Math.round((us / run.total) * 10) / 10;
    process.stdout.write(`${JSON.stringify({ bus: 'local', requests: run.total, parallel, changesSeen: changes, cpuUsPerRequest: figure(run.cpuUs), wallUsPerRequest: figure(run.wallMs * 1000) })}\n`);
  } finally {
    await bus.close();
  }
}

/** The standalone agent's pattern: the MemoryStore answers in microtasks, then the change event and the reply. */
async function answerFromMemory(agent: { publish(subject: string, data: Uint8Array): void }, message: BusMessage): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
  agent.publish('ch.7.p', CHANGE);
  for (let i = 0; i < 4; i++) await Promise.resolve();
  message.respond(REPLY);
}

/** After the store's reply (a macrotask): the change event, then the reply a few awaits later, as RequestRouter does. */
async function answerLikeTheAgent(agent: { publish(subject: string, data: Uint8Array): void }, message: BusMessage): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  agent.publish('ch.7.p', CHANGE);
  for (let i = 0; i < 4; i++) await Promise.resolve();
  message.respond(REPLY);
}

type Requester = { request(subject: string, data: Uint8Array, options: { timeoutMs: number }): Promise<Uint8Array> };

/** A warm-up, then `requests` in `parallel` loops: this process's CPU (µs) and the wall time (ms) they took. */
async function measureRequests(edge: Requester, requests: number, parallel: number): Promise<{ total: number; cpuUs: number; wallMs: number }> {
  await requestLoop(edge, Math.min(500, requests));
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const perLoop = Math.ceil(requests / parallel);
  await Promise.all(Array.from({ length: parallel }, () => requestLoop(edge, perLoop)));
  const wallMs = performance.now() - startedAt;
  const used = process.cpuUsage(cpu);
  return { total: perLoop * parallel, cpuUs: used.user + used.system, wallMs };
}

async function requestLoop(edge: Requester, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await edge.request('pa.7', REQUEST, { timeoutMs: 5_000 });
}

runCostTool(main, USAGE);
