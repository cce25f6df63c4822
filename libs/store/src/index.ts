export type { MemoryStore, MemoryStoreOptions } from './memory/memory-store.js';
export { createMemoryStore } from './memory/memory-store.js';
export type { StoreLogger } from './store-logger.js';
export { silentStoreLogger } from './store-logger.js';
export { StoreClosedError } from './errors/store-closed-error.js';
export type { RedisStore, RedisStoreOptions } from './redis/redis-store.js';
export { createRedisStore } from './redis/redis-store.js';
export { StoreUnavailableError } from './errors/store-unavailable-error.js';
