import type { Socket } from 'node:dgram';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Children, freePort, freeUdpTcpPort, startPresenceProcess, ALLOW_EVERY_WATCHER_ARGS } from '@presence/dev-tools';
import { cpuTicks, runCostTool, wholeNumber } from './cost-figures.js';
import { bindSource, initialPublish } from './flood/publish-flood.js';
import { withServerPreload } from './targets/bench-target.js';

/**
 * `node loadtest/dist/publish-cost-main.js [--publishes N] [--in-flight K] [--server-cpu-prof DIR]`:
 * the server's CPU microseconds per new PUBLISH without watchers (the flood's
 * request, `initialPublish`), closed loop — K PUBLISHes in flight from 20
 * source sockets, the next sent when one is answered — so a request waits
 * only behind K - 1 others and the figure depends far less than the flood's
 * on how much of a shared box the server got. 2,000 PUBLISHes warm the
 * server up first (their answers are printed apart: a cold server may shed
 * some). `presence standalone` runs with its rate limit and overload mode
 * off, as for `npm run flood`.
 */
const USAGE = 'usage: node loadtest/dist/publish-cost-main.js [--publishes N (20000)] [--in-flight K (64)] [--server-cpu-prof DIR]';
const SOURCES = 20;
const WARMUP = 2000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { publishes: { type: 'string', default: '20000' }, 'in-flight': { type: 'string', default: '64' }, 'server-cpu-prof': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const publishes = wholeNumber('--publishes', values.publishes, 10_000_000);
  const inFlight = wholeNumber('--in-flight', values['in-flight'], 10_000);
  const children = new Children();
  const sip = await freeUdpTcpPort();
  const profileDir = values['server-cpu-prof'] === undefined ? undefined : resolve(values['server-cpu-prof']);
  const server = await withServerPreload(profileDir, async () =>
    startPresenceProcess(children, 'standalone', 'publish-cost', await freePort('tcp'), [
      '--listen', `udp:127.0.0.1:${sip}`, '--auth', 'none', ...ALLOW_EVERY_WATCHER_ARGS, '--log-level', 'error',
      '--rate-limit', '0', '--overload-pending', '0', '--overload-event-loop-lag', '0',
    ]),
  );
  try {
    const sockets = await Promise.all(Array.from({ length: SOURCES }, (_, i) => bindSource(i)));
    const pid = server.child.process.pid;
    const warm = await runClosedLoop(sockets, sip, 0, WARMUP, inFlight);
    const before = await cpuTicks(pid, 'server');
    const codes = await runClosedLoop(sockets, sip, WARMUP, publishes, inFlight);
    const ticks = (await cpuTicks(pid, 'server')) - before;
    for (const socket of sockets) socket.close();
    const ok = codes['200'] ?? 0;
    process.stdout.write(`${JSON.stringify({ publishes, inFlight, codes, warmupCodes: warm, cpuUsPerPublish: Math.round((ticks * 1e4) / Math.max(1, ok)), serverCpuS: ticks / 100 })}\n`);
  } finally {
    await server.stop(15_000).catch(() => null);
    await children.killAll();
  }
}

/** Sends `count` new PUBLISHes numbered from `first`, `inFlight` at a time; resolves with the final answers by code. */
async function runClosedLoop(sockets: readonly Socket[], port: number, first: number, count: number, inFlight: number): Promise<Record<string, number>> {
  const codes: Record<string, number> = {};
  let next = first;
  let answered = 0;
  const end = first + count;
  return new Promise((resolveAll, reject) => {
    const send = (): void => {
      if (next >= end) return;
      const n = next++;
      const socket = sockets[n % sockets.length]!;
      socket.send(initialPublish(socket, n), port, '127.0.0.1');
    };
    // A datagram lost on loopback (a full receive buffer) would stall the loop: give up, do not hang.
    let lastAnswered = -1;
    const watchdog = setInterval(() => {
      if (answered === lastAnswered) {
        clearInterval(watchdog);
        reject(new Error(`stalled at ${answered} of ${count} answered`));
      }
      lastAnswered = answered;
    }, 10_000);
    const onMessage = (data: Buffer): void => {
      const status = data.toString('latin1', 8, 11);
      if (status < '200') return;
      codes[status] = (codes[status] ?? 0) + 1;
      if (++answered === count) {
        clearInterval(watchdog);
        for (const socket of sockets) socket.off('message', onMessage);
        resolveAll(codes);
      } else send();
    };
    for (const socket of sockets) socket.on('message', onMessage);
    for (let i = 0; i < Math.min(inFlight, count); i++) send();
  });
}

runCostTool(main, USAGE);
