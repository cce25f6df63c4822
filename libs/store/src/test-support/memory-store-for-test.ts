import type { Clock, Lease, WatcherRecord } from '@presence/core';
import type { MemorySnapshots } from '../memory/memory-snapshots.js';
import { type MemoryStore, type MemoryStoreOptions, openMemoryStore } from '../memory/memory-store.js';
import type { MemoryTables } from '../memory/memory-tables.js';
import type { UsersFileSync } from '../memory/users-file-sync.js';
import type { StoreInspector } from './store-inspector.js';

export interface MemoryStoreCounts {
  readonly presentities: number;
  readonly watchers: number;
  readonly bindingSets: number;
  readonly dialogs: number;
  readonly expiryEntries: number;
  readonly users: number;
  readonly nonceCounts: number;
  readonly authFailureCounters: number;
}

/** What tests read of a MemoryStore beyond StoreInspector. */
export interface MemoryStoreInspector extends StoreInspector {
  /** Records held now. */
  counts(): MemoryStoreCounts;
  /** Writes the snapshot now when something changed since the last one; no-op without dataDir. */
  checkpoint(): Promise<void>;
  /** Checks `users.json` for changes now, as the periodic check does; no-op without dataDir. */
  checkUsersFile(): Promise<void>;
}

/** createMemoryStore for tests: the same store, with an inspector over its tables. */
export async function openMemoryStoreForTest(options: MemoryStoreOptions): Promise<{ store: MemoryStore; inspect: MemoryStoreInspector }> {
  const { store, tables, snapshots, users } = await openMemoryStore(options);
  return { store, inspect: new TableInspector(tables, snapshots, users, options.clock) };
}

class TableInspector implements MemoryStoreInspector {
  constructor(
    private readonly tables: MemoryTables,
    private readonly snapshots: MemorySnapshots | undefined,
    private readonly users: UsersFileSync | undefined,
    private readonly clock: Clock,
  ) {}

  async nextExpiry(partition: number): Promise<number | undefined> {
    return this.tables.index.next(partition);
  }

  async leaseHolder(partition: number): Promise<Lease | undefined> {
    return this.tables.leases.holder(partition, this.clock.now());
  }

  async listWatchers(presentity: string): Promise<WatcherRecord[]> {
    return this.tables.watchers.list(presentity);
  }

  counts(): MemoryStoreCounts {
    const { presentities, watchers, locations, dialogs, index, users, authState } = this.tables;
    return {
      presentities: presentities.size,
      watchers: watchers.size,
      bindingSets: locations.size,
      dialogs: dialogs.size,
      expiryEntries: index.size,
      users: users.size,
      nonceCounts: authState.nonceCounts,
      authFailureCounters: authState.failureCounters,
    };
  }

  async checkpoint(): Promise<void> {
    await this.snapshots?.checkpoint();
  }

  async checkUsersFile(): Promise<void> {
    await this.users?.check();
  }
}
