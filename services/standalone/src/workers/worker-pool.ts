import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { IpcBusHost, processChannel, type Bus } from '@presence/bus';
import type { Store } from '@presence/core';
import type { MetricsSnapshot } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import type { BoundListener } from '@presence/sip';
import { IpcStoreHost, isStoreFrame } from '@presence/store';
import { RELAY_KEY_BYTES } from './datagram-relay.js';
import { isWorkerFrame, WORKER_COUNT_ENV, WORKER_INDEX_ENV, WORKER_RELAY_KEY_ENV, type WorkerFrame } from './worker-frames.js';

export interface WorkerPoolOptions {
  /** Worker processes, each running the edge (2 or more). */
  readonly count: number;
  /** The primary's real bus and store, served to each worker through its own hosts. */
  readonly bus: Bus;
  readonly store: Store;
  readonly logger: Logger;
  /** A worker exited unasked and is forked again: counted. */
  readonly onRestart?: () => void;
  /** How many workers listen, after each change. */
  readonly onListening?: (workers: number) => void;
}

export interface WorkerPool {
  /** Where the workers listen (every worker binds the same). */
  readonly listeners: readonly BoundListener[];
  /** Each worker's metrics (those answering within the deadline). */
  snapshots(): Promise<MetricsSnapshot[]>;
  /** Tells each worker to reload (SIGHUP); rejects naming the workers that failed. */
  reload(): Promise<{ workers: number }>;
  /** Stops each worker (its edge drains) and waits for it to exit; the hosts close after. */
  stop(): Promise<void>;
}

/** A worker answering nothing for this long (start, metrics, reload, stop) is given up on. */
const START_DEADLINE_MS = 30_000;
const ANSWER_DEADLINE_MS = 5_000;
/** The edge drains within the process's 10 s stop grace: what is left of it after this is killed. */
const STOP_DEADLINE_MS = 8_000;
/** A worker that keeps crashing is forked again after 1 s, 2 s, ... up to 30 s; a worker up for a minute starts over at 1 s. */
const RESTART_BACKOFF_MS = { first: 1000, max: 30_000, stableMs: 60_000 };

interface Member {
  readonly index: number;
  readonly process: Worker;
  readonly busHost: IpcBusHost;
  readonly storeHost: IpcStoreHost;
  readonly startedAt: number;
}

interface Waiter {
  readonly resolve: (frame: WorkerFrame) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The primary's side of `standalone --workers N` (ARCHITECTURE "Standalone
 * on more than one core"): forks N edge workers with node:cluster, serves
 * each its bus and store (IpcBusHost, IpcStoreHost), relays UDP datagrams
 * to their owner, forks a crashed worker again under the same index (the
 * same Call-IDs hash to it, and it adopts their dialogs from the mirrors),
 * and stops them first on shutdown.
 */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { count, bus, store, logger } = options;
  const members = new Map<number, Member>();
  const restartTimers = new Map<number, ReturnType<typeof setTimeout>>();
  const backoffs = new Map<number, number>();
  const waiters = new Map<string, Waiter>();
  /** Relay port of each listening worker: every worker learns them all, to pass datagrams straight to their owner. */
  const relayPorts = new Map<number, number>();
  const relayKey = randomBytes(RELAY_KEY_BYTES).toString('hex');
  const report = (): void => {
    options.onListening?.(relayPorts.size);
    const frame: WorkerFrame = { worker: 'peers', relayPorts: Array.from({ length: count }, (_, index) => relayPorts.get(index) ?? 0) };
    for (const member of members.values()) if (member.process.isConnected()) member.process.send(frame);
  };
  let nextId = 1;
  let stopping = false;

  const waitFor = (key: string, deadlineMs: number): Promise<WorkerFrame | undefined> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(key);
        resolve(undefined);
      }, deadlineMs);
      waiters.set(key, { resolve, timer });
    });
  const settle = (key: string, frame: WorkerFrame): void => {
    const waiter = waiters.get(key);
    if (waiter === undefined) return;
    waiters.delete(key);
    clearTimeout(waiter.timer);
    waiter.resolve(frame);
  };

  const onFrame = (index: number, frame: WorkerFrame): void => {
    switch (frame.worker) {
      case 'ready':
      case 'failed':
        settle(`start:${index}`, frame);
        return;
      case 'reloaded':
      case 'metrics-answer':
        settle(`${frame.worker}:${index}:${frame.id}`, frame);
        return;
      default:
        return;
    }
  };

  const fork = (index: number): Member => {
    const child = cluster.fork({ [WORKER_INDEX_ENV]: String(index), [WORKER_COUNT_ENV]: String(count), [WORKER_RELAY_KEY_ENV]: relayKey });
    const member: Member = {
      index,
      process: child,
      busHost: new IpcBusHost(bus, processChannel(child), { logger: logger.child({ component: 'bus-host', worker: String(index) }) }),
      storeHost: new IpcStoreHost(store, processChannel(child, isStoreFrame)),
      startedAt: Date.now(),
    };
    members.set(index, member);
    child.on('message', (message: unknown) => {
      if (isWorkerFrame(message)) onFrame(index, message);
    });
    child.on('exit', (code, signal) => exited(member, code, signal));
    return member;
  };

  const exited = (member: Member, code: number | null, signal: string | null): void => {
    member.busHost.close();
    member.storeHost.close();
    if (members.get(member.index) === member) {
      members.delete(member.index);
      relayPorts.delete(member.index);
      report();
    }
    settle(`start:${member.index}`, { worker: 'failed', reason: `worker ${member.index} exited (${signal ?? `code ${String(code)}`})` });
    if (stopping) return;
    const stable = Date.now() - member.startedAt > RESTART_BACKOFF_MS.stableMs;
    const delay = stable ? RESTART_BACKOFF_MS.first : Math.min((backoffs.get(member.index) ?? RESTART_BACKOFF_MS.first / 2) * 2, RESTART_BACKOFF_MS.max);
    backoffs.set(member.index, delay);
    logger.error({ worker: member.index, code, signal, restartInMs: delay }, 'edge worker exited: forking it again under the same index');
    restartTimers.set(
      member.index,
      setTimeout(() => {
        restartTimers.delete(member.index);
        if (!stopping) void restart(member.index);
      }, delay),
    );
  };

  const start = async (index: number): Promise<readonly BoundListener[]> => {
    const member = fork(index);
    const answer = await waitFor(`start:${index}`, START_DEADLINE_MS);
    if (answer?.worker === 'ready') {
      relayPorts.set(index, answer.relayPort);
      report();
      return answer.listeners;
    }
    member.process.kill('SIGKILL');
    throw new Error(answer?.worker === 'failed' ? answer.reason : `worker ${index} did not start within ${START_DEADLINE_MS} ms`);
  };

  const restart = async (index: number): Promise<void> => {
    options.onRestart?.();
    try {
      await start(index);
      logger.warn({ worker: index }, 'edge worker forked again and listening');
    } catch (error) {
      logger.error({ err: error, worker: index }, 'edge worker did not start again');
    }
  };

  const ask = async <K extends 'metrics' | 'reload'>(kind: K): Promise<{ index: number; answer: WorkerFrame | undefined }[]> =>
    Promise.all(
      [...members.values()].map(async (member) => {
        const id = nextId++;
        const answerKind = kind === 'metrics' ? 'metrics-answer' : 'reloaded';
        const answer = waitFor(`${answerKind}:${member.index}:${id}`, ANSWER_DEADLINE_MS);
        if (member.process.isConnected()) member.process.send({ worker: kind, id } satisfies WorkerFrame);
        return { index: member.index, answer: await answer };
      }),
    );

  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const timer of restartTimers.values()) clearTimeout(timer);
    restartTimers.clear();
    await Promise.all(
      [...members.values()].map(
        (member) =>
          new Promise<void>((resolve) => {
            if (member.process.isDead()) return resolve();
            const kill = setTimeout(() => {
              logger.warn({ worker: member.index, deadlineMs: STOP_DEADLINE_MS }, 'edge worker did not stop in time: killed');
              member.process.kill('SIGKILL');
            }, STOP_DEADLINE_MS);
            member.process.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            if (member.process.isConnected()) member.process.send({ worker: 'stop' } satisfies WorkerFrame);
            else member.process.kill('SIGTERM');
          }),
      ),
    );
    for (const waiter of waiters.values()) clearTimeout(waiter.timer);
    waiters.clear();
  };

  let listeners: readonly BoundListener[];
  try {
    // One at a time: the first binds the shared sockets in the primary (port 0 becomes one port for all).
    listeners = await start(0);
    for (let index = 1; index < count; index++) await start(index);
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    listeners,
    async snapshots() {
      const answers = await ask('metrics');
      return answers.flatMap(({ answer }) => (answer?.worker === 'metrics-answer' ? [answer.snapshot] : []));
    },
    async reload() {
      const answers = await ask('reload');
      const problems = answers.flatMap(({ index, answer }) =>
        answer?.worker !== 'reloaded' ? [`worker ${index}: no answer`] : answer.problem === undefined ? [] : [`worker ${index}: ${answer.problem}`],
      );
      if (problems.length > 0) throw new Error(problems.join('; '));
      return { workers: answers.length };
    },
    stop: stopAll,
  };
}
