import type { DueExpiry } from '@presence/core';
import { decodeExpiryMember, isPresentityMember } from '../expiry-member.js';
import { IndexedMinHeap } from '@presence/core';

/**
 * The per-partition expiry indexes (ARCHITECTURE "Soft state and expiry"):
 * one IndexedMinHeap per partition, keyed by expiry member. See
 * IndexedMinHeap for the complexity of each operation.
 */
export class PartitionExpiryIndex {
  private readonly partitions = new Map<number, IndexedMinHeap>();
  /** Presentity entries per partition (the rest are watchers), kept as entries come and go. */
  private readonly presentities = new Map<number, number>();

  schedule(partition: number, member: string, at: number): void {
    let heap = this.partitions.get(partition);
    if (heap === undefined) {
      heap = new IndexedMinHeap();
      this.partitions.set(partition, heap);
    }
    if (!heap.has(member) && isPresentityMember(member)) this.countPresentity(partition, +1);
    heap.set(member, at);
  }

  unschedule(partition: number, member: string): void {
    const heap = this.partitions.get(partition);
    if (heap === undefined) return;
    if (heap.delete(member) && isPresentityMember(member)) this.countPresentity(partition, -1);
    if (heap.size === 0) this.partitions.delete(partition);
  }

  /** Presentities with an entry in the partition's index. */
  presentityCount(partition: number): number {
    return this.presentities.get(partition) ?? 0;
  }

  private countPresentity(partition: number, delta: number): void {
    const count = (this.presentities.get(partition) ?? 0) + delta;
    if (count === 0) this.presentities.delete(partition);
    else this.presentities.set(partition, count);
  }

  /** Entries with time <= now, earliest first (ties by member), at most `limit`; nothing is removed. */
  due(partition: number, now: number, limit: number): DueExpiry[] {
    const found: DueExpiry[] = [];
    this.partitions.get(partition)?.ascending(now, Math.floor(limit), (member, at) => {
      const entry = decodeExpiryMember(member, at);
      if (entry !== undefined) found.push(entry);
    });
    return found;
  }

  next(partition: number): number | undefined {
    return this.partitions.get(partition)?.peekTime();
  }

  /** Number of entries over all partitions. */
  get size(): number {
    let total = 0;
    for (const heap of this.partitions.values()) total += heap.size;
    return total;
  }

  clear(): void {
    this.partitions.clear();
    this.presentities.clear();
  }
}
