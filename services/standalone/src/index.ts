export type { Standalone, StandaloneOptions } from './standalone.js';
export { startStandalone } from './standalone.js';
export { meteredBus, meteredStore } from './backend-metrics.js';
export type { EdgeWorker, EdgeWorkerOptions } from './workers/edge-worker.js';
export { startEdgeWorker } from './workers/edge-worker.js';
export { DatagramRelay, RELAY_KEY_BYTES } from './workers/datagram-relay.js';
export type { WorkerPool } from './workers/worker-pool.js';
export { WORKER_COUNT_ENV, WORKER_INDEX_ENV, WORKER_RELAY_KEY_ENV, workerEdgeId } from './workers/worker-frames.js';
