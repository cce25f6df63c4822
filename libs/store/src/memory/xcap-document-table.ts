import { type XcapClaimOutcome, type XcapServiceClaim, type XcapConditions, type XcapDeleteOutcome, type XcapDocument, type XcapDocumentRef, type XcapWriteOutcome, compareXcapRefs, frozenCopy, xcapConditionsHold } from '@presence/core';
import { decodeXcapClaim, encodeXcapClaim, newXcapEtag, xcapField, xcapHolderText, xcapRefOf } from '../xcap-document-check.js';

/** One stored document with where it lives, as kept in the snapshot. */
export interface XcapDocumentEntry extends XcapDocumentRef, XcapDocument {}

/** One service URI claim as kept in the snapshot: the URI and encodeXcapClaim's text. */
export interface XcapServiceClaimEntry {
  readonly uri: string;
  readonly claim: string;
}

/**
 * XCAP documents by owner, then `<auid>/<filename>`, like the Redis twin's
 * per-owner hashes. Durable state: never reaped, always snapshotted.
 */
export class XcapDocumentTable {
  private readonly owners = new Map<string, Map<string, XcapDocument>>();
  /** Service URI -> encodeXcapClaim text, compared as the Redis twin's xcap-claim.lua does. */
  private readonly claims = new Map<string, string>();

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

  claim(uri: string, holder: XcapDocumentRef, claimedAt: number, replacing: XcapServiceClaim | undefined): XcapClaimOutcome & { changed: boolean } {
    const held = this.claims.get(uri);
    const mine = encodeXcapClaim({ holder, claimedAt });
    if (held === undefined || (replacing !== undefined && held === encodeXcapClaim(replacing))) {
      this.claims.set(uri, mine);
      return { ok: true, changed: true };
    }
    if (held.slice(held.indexOf('\n') + 1) === xcapHolderText(holder)) return { ok: true, changed: false };
    return { ok: false, claim: this.claimOf(uri)!, changed: false };
  }

  claimOf(uri: string): XcapServiceClaim | undefined {
    const held = this.claims.get(uri);
    return held === undefined ? undefined : decodeHeld(uri, held);
  }

  release(uri: string, holder: XcapDocumentRef): boolean {
    const held = this.claims.get(uri);
    if (held === undefined || held.slice(held.indexOf('\n') + 1) !== xcapHolderText(holder)) return false;
    this.claims.delete(uri);
    return true;
  }

  claimEntries(): XcapServiceClaimEntry[] {
    return Array.from(this.claims, ([uri, claim]) => ({ uri, claim }));
  }

  restoreClaim(entry: XcapServiceClaimEntry): void {
    decodeHeld(entry.uri, entry.claim);
    this.claims.set(entry.uri, entry.claim);
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

function decodeHeld(uri: string, text: string): XcapServiceClaim {
  const claim = decodeXcapClaim(text);
  if (claim === undefined) throw new Error(`xcap service claim of ${uri} is unreadable: ${JSON.stringify(text.slice(0, 80))}`);
  return claim;
}
