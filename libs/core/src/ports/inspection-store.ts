import type { DialogRecord } from '../model/dialog-record.js';
import type { WatcherRecord } from '../model/watcher.js';
import type { Lease } from './lease-store.js';

/** A bounded slice of a list, with how long the whole list is. */
export interface Page<T> {
  readonly total: number;
  readonly items: readonly T[];
}

/**
 * Reads an operator makes (`presence ctl`), never on a request path: every
 * one is bounded by its caller's limit and answered from the state the
 * request paths wrote, so any process holding the store can answer them.
 */
export interface InspectionStore {
  /** Watchers of a presentity, expired ones included (the owner expires them), at most `limit`, and how many there are. */
  watchersOf(presentity: string, limit: number): Promise<Page<WatcherRecord>>;
  /** The live lease of each partition 0..partitionCount-1, in order; undefined where none is live. */
  leaseHolders(partitionCount: number): Promise<(Lease | undefined)[]>;
  /** Mirrored dialogs whose SUBSCRIBE had this Call-ID (usually one), at most `limit`. */
  dialogsByCallId(callId: string, limit: number): Promise<DialogRecord[]>;
}
