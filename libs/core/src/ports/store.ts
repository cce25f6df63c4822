import type { DialogStore } from './dialog-store.js';
import type { ExpiryIndex } from './expiry-index.js';
import type { LocationStore } from './location-store.js';
import type { PresentityStore } from './presentity-store.js';
import type { WatcherStore } from './watcher-store.js';

/** All state ports one backend (memory or Redis) implements. */
export interface Store extends PresentityStore, WatcherStore, ExpiryIndex, LocationStore, DialogStore {
  /** Raises StoreUnavailableError-free liveness check: true when the backend answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
