import type { XcapClaimOutcome, XcapConditions, XcapDocument, XcapDocumentRef, XcapServiceClaim, XcapWriteOutcome, XcapDeleteOutcome } from '../xcap/xcap-document.js';

/**
 * Durable XCAP documents (RFC 4825): pres-rules, resource-lists and the
 * like, whole documents by (auid, scope, owner, filename). Unlike the rest
 * of the store this is not soft state: nothing expires. Every change is a
 * compare-and-set on the document's entity tag, so two writers never
 * overwrite each other unknowingly (If-Match / If-None-Match, RFC 9110 §13.1).
 */
export interface XcapDocumentStore {
  /** The document and its current entity tag, or undefined when there is none. */
  xcapDocument(ref: XcapDocumentRef): Promise<XcapDocument | undefined>;
  /**
   * Creates or replaces the document when `conditions` hold (see
   * xcapConditionsHold); the store picks the new entity tag, unique to
   * this version. Nothing changes when they do not hold.
   */
  putXcapDocument(ref: XcapDocumentRef, body: string, conditions?: XcapConditions): Promise<XcapWriteOutcome>;
  /** Removes the document when it exists and `conditions` hold. */
  deleteXcapDocument(ref: XcapDocumentRef, conditions?: XcapConditions): Promise<XcapDeleteOutcome>;
  /**
   * The documents of one owner (scope `users`, owner = its AOR) or of the
   * global tree (scope `global`, owner ''), ordered by auid then filename,
   * at most `limit` of them.
   */
  listXcapDocuments(scope: XcapDocumentRef['scope'], owner: string, limit: number): Promise<XcapDocumentRef[]>;
  /**
   * Claims a service URI for the document `holder` (RFC 4826 §4.4.5: unique
   * across all documents), a key of its own apart from any owner's: ok
   * when nobody held it, when `holder` already does, or when the claim
   * held is exactly `replacing` (taking over a claim left behind); else
   * the claim that stands.
   */
  claimXcapServiceUri(uri: string, holder: XcapDocumentRef, claimedAt: number, replacing?: XcapServiceClaim): Promise<XcapClaimOutcome>;
  /** Who holds a service URI, if anyone. */
  xcapServiceClaim(uri: string): Promise<XcapServiceClaim | undefined>;
  /** Gives the URI up if `holder` holds it; true when it did. */
  releaseXcapServiceUri(uri: string, holder: XcapDocumentRef): Promise<boolean>;
}
