/**
 * One k6 VU in a worker thread: evaluates the script (init context), then
 * runs what the runner asks (setup, iterations, teardown) and streams its
 * metric samples back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VuEventLoop } from './event-loop.js';
import type { FromVu, Sample, ToVu, VuWorkerData } from './protocol.js';
import { createVuRuntime, type VuRuntime } from './vu-runtime.js';
import { describeError, type VuState } from './vu-state.js';

if (parentPort === null) throw new Error('vu-worker runs as a worker thread of the k6 harness');
const port = parentPort;
const { scriptPath, env, vuId } = workerData as VuWorkerData;
const post = (message: FromVu): void => port.postMessage(message);

let buffered: Sample[] = [];
const flush = (): void => {
  if (buffered.length === 0) return;
  post({ kind: 'samples', samples: buffered });
  buffered = [];
};
setInterval(flush, 200);

const loop = new VuEventLoop();
const state: VuState = {
  vuId,
  loop,
  phase: 'init',
  iteration: undefined,
  groups: [],
  defineMetric: (name, type, isTime) => post({ kind: 'metric', name, type, isTime }),
  emit: (metric, value, tags) => void buffered.push([metric, value, tags === undefined ? undefined : { ...tags }]),
  log: (level, text) => post({ kind: 'log', level, text: `VU ${vuId}: ${text}` }),
  abort: (reason) => post({ kind: 'abort', reason }),
};
// k6 ends the iteration on an unhandled rejection ("Uncaught (in promise)").
process.on('unhandledRejection', (error) => loop.fail(error));

let runtime: VuRuntime | undefined;
try {
  runtime = createVuRuntime(scriptPath, env, state);
  const options = runtime.exports['options'];
  post({ kind: 'ready', options: options === undefined ? undefined : JSON.stringify(options), exports: Object.keys(runtime.exports) });
  state.phase = 'vu';
} catch (error) {
  // Reported, not thrown: the runner ends the test (and this worker) with the script's error.
  post({ kind: 'initFailed', error: describeError(error) });
}
const script = runtime;
if (script !== undefined) port.on('message', (message: ToVu) => void handle(script, message));

async function handle(runtime: VuRuntime, message: ToVu): Promise<void> {
  switch (message.kind) {
    case 'interrupt':
      loop.cancelAll();
      return;
    case 'setup': {
      const setup = runtime.exports['setup'];
      let data: unknown;
      const failure = await loop.run(() => (typeof setup === 'function' ? Promise.resolve(setup()).then((d) => (data = d)) : undefined));
      flush();
      post({ kind: 'setupDone', data: data === undefined ? undefined : JSON.stringify(data), error: failure && describeError(failure.error) });
      return;
    }
    case 'teardown': {
      const teardown = runtime.exports['teardown'];
      const failure = await loop.run(() => (typeof teardown === 'function' ? teardown(parse(message.data)) : undefined));
      flush();
      post({ kind: 'teardownDone', error: failure && describeError(failure.error) });
      return;
    }
    case 'iterate': {
      const fn = runtime.exports[message.exec];
      state.iteration = message.context;
      runtime.setIteration(message.context.iterationInInstance);
      const started = Date.now();
      let interrupted = false;
      const onInterrupt = (m: ToVu): void => void (m.kind === 'interrupt' && (interrupted = true));
      port.on('message', onInterrupt);
      const failure = await loop.run(() => {
        if (typeof fn !== 'function') throw new Error(`the script exports no function "${message.exec}"`);
        return fn(parse(message.data));
      });
      port.off('message', onInterrupt);
      if (!interrupted) {
        state.emit('iterations', 1);
        state.emit('iteration_duration', Date.now() - started);
      }
      state.iteration = undefined;
      flush();
      post({ kind: 'iterationDone', error: failure && !interrupted ? describeError(failure.error) : undefined, interrupted });
      return;
    }
  }
}

/** setup()'s data crosses to each VU as JSON, as in k6. */
function parse(data: string | undefined): unknown {
  return data === undefined ? undefined : JSON.parse(data);
}
