import type { AuthStateStore } from './auth-state-store.js';
import type { DialogStore } from './dialog-store.js';
import type { ExpiryIndex } from './expiry-index.js';
import type { InspectionStore } from './inspection-store.js';
import type { LeaseStore } from './lease-store.js';
import type { LocationStore } from './location-store.js';
import type { MembershipStore } from './membership-store.js';
import type { OfflineMessageStore } from './offline-message-store.js';
import type { PresentityStore } from './presentity-store.js';
import type { UserStore } from './user-store.js';
import type { WatcherStore } from './watcher-store.js';
import type { XcapDocumentStore } from './xcap-document-store.js';

/** All state ports one backend (memory or Redis) implements. */
export interface Store
  extends PresentityStore,
    WatcherStore,
    ExpiryIndex,
    LocationStore,
    DialogStore,
    LeaseStore,
    MembershipStore,
    UserStore,
    AuthStateStore,
    InspectionStore,
    OfflineMessageStore,
    XcapDocumentStore {
  /** Liveness check that never throws: true when the backend answers, false when it is down or closed. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
