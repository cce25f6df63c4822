import { Worker } from 'node:worker_threads';
import type { FromVu, IterationContext, ToVu, VuWorkerData } from './protocol.js';

export interface IterationOutcome {
  readonly error: string | undefined;
  readonly interrupted: boolean;
}

/** The runner's side of one VU worker: asks it for setup, iterations and teardown, one at a time. */
export class VuHandle {
  private readonly worker: Worker;
  private waiting: ((message: FromVu) => boolean) | undefined;
  private exitError: string | undefined;
  iterationsInInstance = 0;
  readonly ready: Promise<{ options: string | undefined; exports: readonly string[] }>;

  constructor(
    readonly id: number,
    data: VuWorkerData,
    /** Messages that are not answers: samples, metric definitions, logs, aborts. */
    onMessage: (message: FromVu) => void,
  ) {
    this.worker = new Worker(new URL('./vu-worker.js', import.meta.url), { workerData: data });
    this.ready = new Promise((resolve, reject) => {
      this.waiting = (message) => {
        if (message.kind === 'ready') resolve({ options: message.options, exports: message.exports });
        else if (message.kind === 'initFailed') reject(new Error(`VU ${id} init failed: ${message.error}`));
        else return false;
        return true;
      };
      this.worker.once('error', (error) => reject(error));
    });
    this.worker.on('message', (message: FromVu) => {
      if (this.waiting?.(message)) this.waiting = undefined;
      else onMessage(message);
    });
    this.worker.on('error', (error) => (this.exitError = error.stack ?? error.message));
    this.worker.on('exit', (code) => {
      // A worker that dies answers whatever it was asked with the reason.
      const error = this.exitError ?? `VU ${id} worker exited (${code})`;
      const answers: FromVu[] = [
        { kind: 'initFailed', error },
        { kind: 'iterationDone', error, interrupted: false },
        { kind: 'setupDone', data: undefined, error },
        { kind: 'teardownDone', error },
      ];
      for (const answer of answers) if (this.waiting?.(answer)) this.waiting = undefined;
    });
  }

  iterate(exec: string, data: string | undefined, context: Omit<IterationContext, 'iterationInInstance'>): Promise<IterationOutcome> {
    const full: IterationContext = { ...context, iterationInInstance: this.iterationsInInstance++ };
    return this.ask({ kind: 'iterate', exec, data, context: full }, (m) => (m.kind === 'iterationDone' ? { value: { error: m.error, interrupted: m.interrupted } } : undefined));
  }

  setup(): Promise<{ data: string | undefined; error: string | undefined }> {
    return this.ask({ kind: 'setup' }, (m) => (m.kind === 'setupDone' ? { value: { data: m.data, error: m.error } } : undefined));
  }

  teardown(data: string | undefined): Promise<string | undefined> {
    return this.ask({ kind: 'teardown', data }, (m) => (m.kind === 'teardownDone' ? { value: m.error } : undefined));
  }

  interrupt(): void {
    this.worker.postMessage({ kind: 'interrupt' } satisfies ToVu);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private ask<T>(request: ToVu, answer: (message: FromVu) => { value: T } | undefined): Promise<T> {
    if (this.waiting !== undefined) throw new Error(`VU ${this.id} is busy`);
    return new Promise((resolve) => {
      this.waiting = (message) => {
        const result = answer(message);
        if (result === undefined) return false;
        resolve(result.value);
        return true;
      };
      this.worker.postMessage(request);
    });
  }
}
