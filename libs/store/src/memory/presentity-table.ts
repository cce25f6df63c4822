import { randomUUID } from 'node:crypto';
import { type CommitOutcome, type PresentityChange, type PresentityState, type Publication, earliestExpiry, frozenCopy } from '@presence/core';
import { presentityMember } from '../expiry-member.js';
import type { PartitionExpiryIndex } from './partition-expiry-index.js';

/** What is kept per presentity: frozen publications, shared with the states handed out. */
export interface PresentityRecord {
  partition: number;
  revision: number;
  version: number;
  /** Random when the record is created, kept in snapshots: a store that lost the record starts a new one. */
  incarnation: string;
  publications: readonly Publication[];
  document: string;
}

const EMPTY: readonly Publication[] = Object.freeze([]);

/** Stored copies are frozen, so later changes to the caller's objects do not reach the store and vice versa. */
function freezePublications(publications: readonly Publication[]): readonly Publication[] {
  if (publications.length === 0) return EMPTY;
  return Object.freeze(publications.map((p) => frozenCopy(p)));
}

/**
 * Publications and composed documents, compare-and-set on `revision`.
 *
 * A record is never deleted, not even when its last publication is gone and
 * its document is empty: it stays as a tombstone carrying revision and
 * version (three numbers and two empty values), so neither ever goes back
 * (a reset revision would let a stale compare-and-set succeed, a reset
 * version would make edges drop the next changes as old). The Redis twin
 * keeps `pres:{aor}:doc` without a TTL for the same reason. Memory grows with
 * the number of presentities ever published, as the Redis keyspace does.
 */
export class PresentityTable {
  private readonly records = new Map<string, PresentityRecord>();

  constructor(private readonly index: PartitionExpiryIndex) {}

  get size(): number {
    return this.records.size;
  }

  load(presentity: string): PresentityState {
    const record = this.records.get(presentity);
    if (record === undefined) return { presentity, revision: 0, version: 0, incarnation: '', publications: EMPTY, document: '' };
    const { revision, version, incarnation } = record;
    return { presentity, revision, version, incarnation, publications: record.publications, document: record.document };
  }

  commit(change: PresentityChange): CommitOutcome {
    const record = this.records.get(change.presentity);
    if (change.expectedRevision !== (record?.revision ?? 0)) return { ok: false, current: this.load(change.presentity) };
    const next: PresentityRecord = {
      partition: change.partition,
      revision: (record?.revision ?? 0) + 1,
      version: (record?.version ?? 0) + (change.documentChanged ? 1 : 0),
      incarnation: record?.incarnation ?? randomUUID(),
      publications: freezePublications(change.publications),
      document: change.document,
    };
    this.put(change.presentity, next, record);
    return { ok: true, state: this.load(change.presentity) };
  }

  /** Puts a record read back from a snapshot. */
  restore(presentity: string, record: Omit<PresentityRecord, 'incarnation'> & { incarnation?: string | undefined }): void {
    const restored: PresentityRecord = { ...record, incarnation: record.incarnation ?? randomUUID(), publications: freezePublications(record.publications) };
    this.put(presentity, restored, this.records.get(presentity));
  }

  entries(): IterableIterator<[string, Readonly<PresentityRecord>]> {
    return this.records.entries();
  }

  /** Stores the record and keeps the expiry index at its earliest publication expiry. */
  private put(presentity: string, next: PresentityRecord, previous: PresentityRecord | undefined): void {
    this.records.set(presentity, next);
    const member = presentityMember(presentity);
    if (previous !== undefined && previous.partition !== next.partition) this.index.unschedule(previous.partition, member);
    const earliest = earliestExpiry(next.publications);
    if (earliest !== undefined) this.index.schedule(next.partition, member, earliest);
    else this.index.unschedule(next.partition, member);
  }
}
