import { LoadWorker } from './load-worker.js';
import type { ParentEnvelope, WorkerMessage } from './protocol.js';

/**
 * Entry of a forked load generator process. Requests from the parent are
 * handled one at a time in arrival order; progress goes up 4 times a second
 * (the parent prints once a second, so each line is at most 250 ms stale).
 */
const PROGRESS_MS = 250;

let worker: LoadWorker | undefined;
let queue: Promise<void> = Promise.resolve();

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

async function handle({ id, request }: ParentEnvelope): Promise<void> {
  try {
    if (request.type === 'init') worker = await LoadWorker.create(request.config);
    if (worker === undefined) throw new Error(`"${request.type}" before "init"`);
    const result = await worker.handle(request);
    await send({ type: 'reply', id, result });
    if (request.type === 'stop') process.exit(0);
  } catch (error) {
    await send({ type: 'failed', id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

if (process.send === undefined) {
  process.stderr.write('worker-main is started by the bench (child_process.fork), not by hand\n');
  process.exit(2);
}
process.on('message', (envelope: ParentEnvelope) => {
  queue = queue.then(() => handle(envelope));
});
// The parent is gone: nothing left to report to.
process.on('disconnect', () => process.exit(0));
setInterval(() => {
  if (worker !== undefined) void send({ type: 'progress', ...worker.progress() });
}, PROGRESS_MS).unref();
