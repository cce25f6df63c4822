import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ParentEnvelope, ParentRequest, WorkerConfig, WorkerMessage, WorkerResult } from '../worker/protocol.js';

/** The built worker entry, next to this file's folder in dist/. */
const WORKER_ENTRY = fileURLToPath(new URL('../worker/worker-main.js', import.meta.url));
const STOP_TIMEOUT_MS = 10_000;

export interface WorkerProgress {
  readonly step: number;
  readonly publishAccepted: number;
  readonly notifies: number;
}

interface Pending {
  resolve(result: WorkerResult): void;
  reject(error: Error): void;
}

/** One forked worker process and its request/reply bookkeeping. */
class WorkerHandle {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private exited: string | undefined;
  progress: WorkerProgress = { step: -1, publishAccepted: 0, notifies: 0 };

  constructor(
    readonly index: number,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: WorkerMessage) => this.onMessage(message));
    child.on('exit', (code, signal) => {
      this.exited = `load worker ${index} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`;
      for (const entry of this.pending.values()) entry.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  call(request: ParentRequest): Promise<WorkerResult> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const envelope: ParentEnvelope = { id, request };
      this.child.send(envelope);
    });
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'progress') {
      this.progress = message;
      return;
    }
    const entry = this.pending.get(message.id);
    if (entry === undefined) return;
    this.pending.delete(message.id);
    if (message.type === 'reply') entry.resolve(message.result);
    else entry.reject(new Error(`load worker ${this.index}: ${message.error}`));
  }
}

/**
 * The load generator processes (child_process.fork), so the generator's
 * parsing and socket work spreads over cores instead of capping at one.
 */
export class WorkerPool {
  private constructor(private readonly handles: WorkerHandle[]) {}

  static async start(configs: readonly WorkerConfig[]): Promise<WorkerPool> {
    const handles = configs.map(
      (_, index) =>
        // execArgv: [] keeps the bench's own flags (inspector, profilers) out of the workers.
        new WorkerHandle(index, fork(WORKER_ENTRY, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
    );
    const pool = new WorkerPool(handles);
    try {
      await Promise.all(handles.map((handle, i) => handle.call({ type: 'init', config: configs[i]! })));
    } catch (error) {
      await pool.stop();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.handles.length;
  }

  /** The same request to every worker; results in worker order. */
  all<T extends WorkerResult>(request: ParentRequest): Promise<T[]> {
    return Promise.all(this.handles.map((handle) => handle.call(request) as Promise<T>));
  }

  /** A request per worker (e.g. its share of the rate). */
  each<T extends WorkerResult>(requests: readonly ParentRequest[]): Promise<T[]> {
    return Promise.all(this.handles.map((handle, i) => handle.call(requests[i]!) as Promise<T>));
  }

  /** Sum of the latest progress reports of `step`. */
  progress(step: number): { publishAccepted: number; notifies: number } {
    let publishAccepted = 0;
    let notifies = 0;
    for (const handle of this.handles) {
      if (handle.progress.step !== step) continue;
      publishAccepted += handle.progress.publishAccepted;
      notifies += handle.progress.notifies;
    }
    return { publishAccepted, notifies };
  }

  /** Asks every worker to close its sockets and exit; kills those that do not (only our own children). */
  async stop(): Promise<void> {
    await Promise.all(
      this.handles.map(async (handle) => {
        if (!handle.running) return;
        const exited = new Promise<void>((resolve) => handle.child.once('exit', () => resolve()));
        const timer = setTimeout(() => handle.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await handle.call({ type: 'stop' }).catch(() => undefined);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
