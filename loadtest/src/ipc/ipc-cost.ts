import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { IpcBus, IpcBusHost, LocalBus, processChannel } from '@presence/bus';
import { systemClock } from '@presence/core';
import { DatagramRelay, RELAY_KEY_BYTES } from '@presence/standalone';
import { createIpcStore, createMemoryStore, IpcStoreHost, isStoreFrame } from '@presence/store';

/**
 * What the multi-core standalone design (docs/architecture.md, "Standalone on
 * more than one core") pays per message crossing a process boundary, with
 * the real adapters over node:cluster IPC: CPU microseconds per operation in
 * the primary and in the worker, each process's own cpuUsage.
 */
export interface IpcCostFigures {
  /** One bus request from a worker answered by a responder in the primary (an edge asking the agent). */
  readonly busRequest: CostFigure;
  /** One publication in the primary delivered to a worker's subscription (a change fanned out to an edge). */
  readonly busFanOut: CostFigure;
  /** One store call from a worker to the primary's MemoryStore (an edge loading a dialog). */
  readonly storeCall: CostFigure;
  /**
   * One SIP datagram read by the wrong worker, relayed straight to its owner
   * (Call-ID affinity; DatagramRelay). Here `workerMicros` is the worker that
   * read it, `primaryMicros` the owner (a relay of the primary's standing in
   * for the other worker); the datagrams come in bursts (serveIpcCostSender).
   */
  readonly datagramHandOff: CostFigure;
}

export interface CostFigure {
  readonly operations: number;
  readonly perSecond: number;
  readonly primaryMicros: number;
  readonly workerMicros: number;
}

type Phase = 'busRequest' | 'busFanOut' | 'storeCall' | 'datagramHandOff';

/** What the worker reports of one phase: its CPU and the wall time it saw. */
interface WorkerReport {
  readonly report: Phase | 'ready';
  readonly cpuMicros: number;
  readonly elapsedMs: number;
  /** In `ready`: the port of the worker's SIP socket. */
  readonly port?: number;
}

const PAYLOAD = new TextEncoder().encode(JSON.stringify({ type: 'change', aor: 'sip:alice@example.com', version: 7, body: 'x'.repeat(400) }));
const DATAGRAM = Buffer.from(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\nCall-ID: abc@host\r\nCSeq: 2 NOTIFY\r\nContent-Length: 0\r\n${'X-Pad: x\r\n'.repeat(30)}\r\n`);
/** Operations in flight (requests, store calls) or published per turn (fan-out), unless told otherwise. */
export const DEFAULT_CONCURRENCY = 100;

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** Runs in the primary: forks one worker and drives each phase; `operations` per phase. */
export async function measureIpcCost(operations: number, concurrency = DEFAULT_CONCURRENCY): Promise<IpcCostFigures> {
  cluster.setupPrimary({ serialization: 'json' });
  const relayKey = randomBytes(RELAY_KEY_BYTES);
  let relayed = 0;
  let relayedAll: () => void = () => undefined;
  const owner = await DatagramRelay.open(relayKey, () => void (++relayed === operations && relayedAll()), () => undefined);
  const worker = cluster.fork({ IPC_COST_ROLE: 'worker', IPC_COST_OPERATIONS: String(operations), IPC_COST_CONCURRENCY: String(concurrency), IPC_COST_RELAY_KEY: relayKey.toString('hex'), IPC_COST_RELAY_PORT: String(owner.port) });
  const nextReport = collectReports(worker);
  const bus = new LocalBus();
  const busHost = new IpcBusHost(bus, processChannel(worker));
  const store = await createMemoryStore({ clock: systemClock });
  const storeHost = new IpcStoreHost(store, processChannel(worker, isStoreFrame));
  bus.subscribe('pa.>', (message) => message.respond(PAYLOAD), { queue: 'agents' });
  try {
    const { port } = await nextReport('ready');
    const figures: Partial<Record<Phase, CostFigure>> = {};
    for (const phase of ['busRequest', 'storeCall'] as const) {
      const start = process.cpuUsage();
      worker.send({ run: phase });
      figures[phase] = await figure(operations, start, nextReport(phase));
    }
    // The datagrams come from a third process, so neither measured process pays for sending them.
    const sender = cluster.fork({ IPC_COST_ROLE: 'sender', IPC_COST_PORT: String(port) });
    const start = process.cpuUsage();
    const handedOff = new Promise<void>((resolve) => (relayedAll = resolve));
    worker.send({ run: 'datagramHandOff' });
    await handedOff;
    worker.send({ handedOff: true });
    figures.datagramHandOff = await figure(operations, start, nextReport('datagramHandOff'));
    sender.kill();
    const fanOutStart = process.cpuUsage();
    worker.send({ run: 'busFanOut' });
    for (let i = 0; i < operations; i++) {
      bus.publish(`ps.${i % 256}.tok`, PAYLOAD);
      if (i % concurrency === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    figures.busFanOut = await figure(operations, fanOutStart, nextReport('busFanOut'));
    return figures as IpcCostFigures;
  } finally {
    await owner.close();
    busHost.close();
    storeHost.close();
    worker.kill();
    await bus.close();
    await store.close();
  }
}

/** Waits for the worker's report of the phase, then takes the primary's CPU since `start`. */
async function figure(operations: number, start: NodeJS.CpuUsage, reported: Promise<WorkerReport>): Promise<CostFigure> {
  const report = await reported;
  const primaryCpu = cpuMicros(start);
  return {
    operations,
    perSecond: Math.round((operations / report.elapsedMs) * 1000),
    primaryMicros: Number((primaryCpu / operations).toFixed(1)),
    workerMicros: Number((report.cpuMicros / operations).toFixed(1)),
  };
}

/** The worker's reports, kept from the fork on so none is missed while the primary is busy elsewhere. */
function collectReports(worker: Worker): (phase: Phase | 'ready') => Promise<WorkerReport> {
  const arrived = new Map<string, WorkerReport>();
  const waiting = new Map<string, (report: WorkerReport) => void>();
  worker.on('message', (message: Partial<WorkerReport>) => {
    if (message.report === undefined) return;
    const waiter = waiting.get(message.report);
    if (waiter === undefined) arrived.set(message.report, message as WorkerReport);
    else waiter(message as WorkerReport);
  });
  return (phase) => {
    const report = arrived.get(phase);
    return report !== undefined ? Promise.resolve(report) : new Promise((resolve) => waiting.set(phase, resolve));
  };
}

/** Runs in the forked worker: the edge's side of every phase. */
export async function serveIpcCostWorker(): Promise<void> {
  const operations = Number(process.env['IPC_COST_OPERATIONS']);
  const concurrency = Number(process.env['IPC_COST_CONCURRENCY'] ?? DEFAULT_CONCURRENCY);
  const bus = new IpcBus(processChannel(process));
  const store = createIpcStore(processChannel(process, isStoreFrame));
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let fannedOut = 0;
  let fanOutDone: () => void = () => undefined;
  bus.subscribe('ps.>', () => {
    if (++fannedOut === operations) fanOutDone();
  });
  let handOffDone: () => void = () => undefined;
  // The wrong worker's half: read the datagram, find it is not ours, relay it to its owner (the primary's relay here).
  const relay = await DatagramRelay.open(Buffer.from(process.env['IPC_COST_RELAY_KEY'] ?? '', 'hex'), () => undefined, () => undefined);
  const ownerPort = Number(process.env['IPC_COST_RELAY_PORT']);
  let relaying = false;
  socket.on('message', (datagram, source) => {
    if (relaying) relay.send(ownerPort, 0, datagram, source.address, source.port);
  });
  process.on('message', (message: { run?: Phase; handedOff?: boolean }) => {
    if (message.handedOff === true) return handOffDone();
    if (message.run !== undefined) void run(message.run);
  });
  const loop = async (step: (i: number) => Promise<unknown>): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < operations) await step(next++);
    }));
  };
  const run = async (phase: Phase): Promise<void> => {
    const start = process.cpuUsage();
    const began = Date.now();
    if (phase === 'busRequest') await loop((i) => bus.request(`pa.${i % 256}`, PAYLOAD, { timeoutMs: 10_000 }));
    if (phase === 'storeCall') await loop((i) => store.loadDialog(`sub-${i}`));
    if (phase === 'busFanOut') await new Promise<void>((resolve) => (fannedOut === operations ? resolve() : (fanOutDone = resolve)));
    if (phase === 'datagramHandOff') {
      relaying = true;
      await new Promise<void>((resolve) => (handOffDone = resolve));
      relaying = false;
    }
    process.send?.({ report: phase, cpuMicros: cpuMicros(start), elapsedMs: Date.now() - began });
  };
  process.send?.({ report: 'ready', port: socket.address().port });
}

/**
 * Runs in a third forked process: sends datagrams to the worker, paced, until killed (some are lost on a busy box):
 * bursts of 5 a millisecond, as a PUBLISH to 10 watchers brings 10 NOTIFY responses, half of them to the other worker.
 */
export function serveIpcCostSender(): void {
  const port = Number(process.env['IPC_COST_PORT']);
  const sender = createSocket('udp4');
  const timer = setInterval(() => {
    for (let i = 0; i < 5; i++) sender.send(DATAGRAM, port, '127.0.0.1');
  }, 1);
  process.on('disconnect', () => {
    clearInterval(timer);
    sender.close();
  });
}
