import { type XcapConditions, type XcapDeleteOutcome, type XcapDocument, type XcapDocumentRef, type XcapWriteOutcome, compareXcapRefs, frozenCopy, xcapConditionsHold } from '@presence/core';
import { newXcapEtag, xcapField, xcapRefOf } from '../xcap-document-check.js';

/** One stored document with where it lives, as kept in the snapshot. */
export interface XcapDocumentEntry extends XcapDocumentRef, XcapDocument {}

/**
 * XCAP documents by owner, then `<auid>/<filename>`, like the Redis twin's
 * per-owner hashes. Durable state: never reaped, always snapshotted.
 */
export class XcapDocumentTable {
  private readonly owners = new Map<string, Map<string, XcapDocument>>();

  get size(): number {
    let count = 0;
    for (const documents of this.owners.values()) count += documents.size;
    return count;
  }

  get(ref: XcapDocumentRef): XcapDocument | undefined {
    return this.owners.get(ownerKey(ref.scope, ref.owner))?.get(xcapField(ref));
  }

  put(ref: XcapDocumentRef, body: string, conditions: XcapConditions | undefined): XcapWriteOutcome {
    const current = this.get(ref);
    if (!xcapConditionsHold(current?.etag, conditions)) return { ok: false, reason: 'precondition-failed' };
    const etag = newXcapEtag();
    this.set(ref, { body, etag });
    return { ok: true, etag, created: current === undefined };
  }

  delete(ref: XcapDocumentRef, conditions: XcapConditions | undefined): XcapDeleteOutcome {
    const current = this.get(ref);
    if (!xcapConditionsHold(current?.etag, conditions)) return { ok: false, reason: 'precondition-failed' };
    if (current === undefined) return { ok: false, reason: 'not-found' };
    const key = ownerKey(ref.scope, ref.owner);
    const documents = this.owners.get(key) as Map<string, XcapDocument>;
    documents.delete(xcapField(ref));
    if (documents.size === 0) this.owners.delete(key);
    return { ok: true };
  }

  list(scope: XcapDocumentRef['scope'], owner: string, limit: number): XcapDocumentRef[] {
    const documents = this.owners.get(ownerKey(scope, owner));
    if (documents === undefined || limit === 0) return [];
    return Array.from(documents.keys(), (field) => xcapRefOf(scope, owner, field)).sort(compareXcapRefs).slice(0, limit);
  }

  entries(): XcapDocumentEntry[] {
    const out: XcapDocumentEntry[] = [];
    for (const [key, documents] of this.owners) {
      const { scope, owner } = splitOwnerKey(key);
      for (const [field, document] of documents) out.push({ ...xcapRefOf(scope, owner, field), ...document });
    }
    return out;
  }

  /** Puts a snapshot's document back with its entity tag, so clients' cached tags stay valid across a restart. */
  restore(entry: XcapDocumentEntry): void {
    this.set(entry, { body: entry.body, etag: entry.etag });
  }

  private set(ref: XcapDocumentRef, document: XcapDocument): void {
    const key = ownerKey(ref.scope, ref.owner);
    let documents = this.owners.get(key);
    if (documents === undefined) {
      documents = new Map();
      this.owners.set(key, documents);
    }
    documents.set(xcapField(ref), frozenCopy(document));
  }
}

/** Global documents have owner ''; a users owner is never empty, so keys never collide. */
function ownerKey(scope: XcapDocumentRef['scope'], owner: string): string {
  return scope === 'global' ? 'global' : `users:${owner}`;
}

function splitOwnerKey(key: string): { scope: XcapDocumentRef['scope']; owner: string } {
  return key === 'global' ? { scope: 'global', owner: '' } : { scope: 'users', owner: key.slice('users:'.length) };
}
