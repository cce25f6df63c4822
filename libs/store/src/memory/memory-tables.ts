import { AuthStateTable } from './auth-state-table.js';
import { BindingTable } from './binding-table.js';
import { DialogTable } from './dialog-table.js';
import { LeaseTable } from './lease-table.js';
import { MemberTable } from './member-table.js';
import { OfflineQueueTable } from './offline-queue-table.js';
import { PartitionExpiryIndex } from './partition-expiry-index.js';
import { PresentityTable } from './presentity-table.js';
import type { StoreSnapshot } from './snapshot-codec.js';
import { UserTable } from './user-table.js';
import { WatcherTable } from './watcher-table.js';
import { XcapDocumentTable } from './xcap-document-table.js';

/**
 * Every table of a MemoryStore, one per store port, and what concerns them
 * all: the snapshot of their contents, restoring one, and dropping lapsed
 * soft state. Leases and members are not snapshotted: they only matter
 * between the workers of a cluster, which share a Redis store. Users are not
 * either: with a data directory they live in their own file, `users.json`,
 * which `presence user` changes under a running server (UsersFileSync).
 * Authentication state is soft and memory-only: after a restart nonces
 * issued before are stale and failure counters start over. XCAP documents
 * are durable: snapshotted, never reaped.
 */
export class MemoryTables {
  readonly index = new PartitionExpiryIndex();
  readonly presentities = new PresentityTable(this.index);
  readonly watchers = new WatcherTable(this.index);
  readonly locations = new BindingTable();
  readonly dialogs: DialogTable;
  readonly leases = new LeaseTable();
  /** Not in the snapshot: with a data directory each message is its own file (OfflineMessageFiles). */
  readonly offline = new OfflineQueueTable();
  readonly members = new MemberTable();
  readonly users = new UserTable();
  readonly authState = new AuthStateTable();
  readonly xcapDocuments = new XcapDocumentTable();

  constructor(dialogGraceMs: number) {
    this.dialogs = new DialogTable(dialogGraceMs);
  }

  /** Drops binding sets, dialogs and auth state lapsed by `now` (reads also check lazily). */
  reap(now: number): void {
    this.locations.reap(now);
    this.dialogs.reap(now);
    this.authState.reap(now);
  }

  snapshot(): StoreSnapshot {
    return {
      presentities: Array.from(this.presentities.entries(), ([presentity, record]) => ({ presentity, ...record })),
      watchers: Array.from(this.watchers.entries()),
      bindings: Array.from(this.locations.entries(), ([aor, bindings]) => ({ aor, bindings })),
      dialogs: Array.from(this.dialogs.values()),
      xcapDocuments: this.xcapDocuments.entries(),
      xcapServiceClaims: this.xcapDocuments.claimEntries(),
    };
  }

  /**
   * Puts a snapshot's records back. Binding sets and dialogs that lapsed
   * meanwhile are dropped; publications and watchers are kept even if
   * expired: their index entries are then due at once, so the owner still
   * recomposes and sends the terminated NOTIFYs instead of the state
   * silently vanishing.
   */
  restore(snapshot: StoreSnapshot, now: number): void {
    for (const { presentity, ...record } of snapshot.presentities) this.presentities.restore(presentity, record);
    for (const { partition, record } of snapshot.watchers) this.watchers.put(partition, record);
    for (const { aor, bindings } of snapshot.bindings) {
      this.locations.replace(aor, bindings.filter((binding) => binding.expiresAt > now), now);
    }
    for (const dialog of snapshot.dialogs) this.dialogs.save(dialog, now);
    for (const entry of snapshot.xcapDocuments ?? []) this.xcapDocuments.restore(entry);
    for (const entry of snapshot.xcapServiceClaims ?? []) this.xcapDocuments.restoreClaim(entry);
  }
}
