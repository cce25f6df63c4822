export type { StoreInspector } from './store-inspector.js';
export type { MemoryStoreCounts, MemoryStoreInspector } from './memory-store-for-test.js';
export { openMemoryStoreForTest } from './memory-store-for-test.js';
export { openRedisStoreForTest } from './redis-store-for-test.js';
