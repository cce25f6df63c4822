import { flatString, sharedString, type WatcherRecord } from '@presence/core';
import { watcherMember } from '../expiry-member.js';
import type { PartitionExpiryIndex } from './partition-expiry-index.js';

export interface WatcherEntry {
  readonly partition: number;
  /** Frozen copy of what was put. */
  readonly record: WatcherRecord;
}

/**
 * Watchers per presentity, keyed by subscription id, each indexed for expiry
 * in its partition. Expired watchers are not dropped here: the owner drives
 * their expiry from the index (it must send the terminated NOTIFY) and
 * removes them itself.
 */
export class WatcherTable {
  private readonly byPresentity = new Map<string, Map<string, WatcherEntry>>();
  private count = 0;

  constructor(private readonly index: PartitionExpiryIndex) {}

  get size(): number {
    return this.count;
  }

  put(partition: number, watcher: WatcherRecord): WatcherRecord | undefined {
    let watchers = this.byPresentity.get(watcher.presentity);
    if (watchers === undefined) {
      watchers = new Map();
      this.byPresentity.set(watcher.presentity, watchers);
    }
    const member = watcherMember(watcher.presentity, watcher.subscriptionId);
    const previous = watchers.get(watcher.subscriptionId);
    if (previous === undefined) this.count++;
    else if (previous.partition !== partition) this.index.unschedule(previous.partition, member);
    watchers.set(watcher.subscriptionId, { partition, record: storedWatcher(watcher) });
    this.index.schedule(partition, member, watcher.expiresAt);
    return previous?.record;
  }

  remove(partition: number, presentity: string, subscriptionId: string): WatcherRecord | undefined {
    const member = watcherMember(presentity, subscriptionId);
    this.index.unschedule(partition, member);
    const watchers = this.byPresentity.get(presentity);
    const entry = watchers?.get(subscriptionId);
    if (watchers === undefined || entry === undefined) return undefined;
    if (entry.partition !== partition) this.index.unschedule(entry.partition, member);
    watchers.delete(subscriptionId);
    if (watchers.size === 0) this.byPresentity.delete(presentity);
    this.count--;
    return entry.record;
  }

  /** Every stored watcher of the presentity, expired or not, in no particular order. */
  list(presentity: string): WatcherRecord[] {
    const watchers = this.byPresentity.get(presentity);
    if (watchers === undefined) return [];
    return Array.from(watchers.values(), (entry) => entry.record);
  }

  /** At most `limit` stored watchers of the presentity, and how many it has. */
  page(presentity: string, limit: number): { total: number; items: WatcherRecord[] } {
    const watchers = this.byPresentity.get(presentity);
    if (watchers === undefined) return { total: 0, items: [] };
    const items: WatcherRecord[] = [];
    for (const entry of watchers.values()) {
      if (items.length === limit) break;
      items.push(entry.record);
    }
    return { total: watchers.size, items };
  }

  *entries(): IterableIterator<WatcherEntry> {
    for (const watchers of this.byPresentity.values()) yield* watchers.values();
  }
}

type StoredField = 'presentity' | 'subscriptionId' | 'watcher' | 'event' | 'status' | 'edgeId' | 'expiresAt';
// Fails to compile when WatcherRecord gains a field storedWatcher does not copy.
const COPIES_EVERY_FIELD: [Exclude<keyof WatcherRecord, StoredField>] extends [never] ? true : never = true;
void COPIES_EVERY_FIELD;

/**
 * A frozen copy as small as a record can be: a literal keeps its seven fields
 * in the object (a copy made with Object.assign spills three into a property
 * array), and the values most watchers repeat, decoded afresh from each bus
 * message, are shared (~150 bytes a watcher less, measured in a heap snapshot).
 * The watcher AOR is shared too: in one process the edge's caps and the
 * dialog mirror keep the same text, and then one copy serves all.
 */
function storedWatcher(watcher: WatcherRecord): WatcherRecord {
  return Object.freeze({
    presentity: sharedString(watcher.presentity),
    subscriptionId: flatString(watcher.subscriptionId),
    watcher: sharedString(watcher.watcher),
    event: sharedString(watcher.event),
    status: sharedString(watcher.status) as WatcherRecord['status'],
    edgeId: sharedString(watcher.edgeId),
    expiresAt: watcher.expiresAt,
  });
}
