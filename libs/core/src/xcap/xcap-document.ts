/** RFC 4825 §6: a document lives either under one user's tree or in the global tree of its application usage. */
export type XcapScope = 'users' | 'global';

export const XCAP_SCOPES: readonly XcapScope[] = Object.freeze(['users', 'global']);

/**
 * Where a document lives: `/xcap-root/<auid>/<scope>/<owner>/<filename>`.
 * `owner` is the user's canonical AOR for scope `users` and '' for
 * `global`; `filename` may hold `/` (a document may sit in a folder), the
 * auid never does.
 */
export interface XcapDocumentRef {
  readonly auid: string;
  readonly scope: XcapScope;
  readonly owner: string;
  readonly filename: string;
}

export interface XcapDocument {
  readonly body: string;
  /** Opaque entity tag of this version, without quotes. */
  readonly etag: string;
}

/**
 * HTTP conditional request headers reduced to one entity tag each, without
 * quotes; `*` matches any current document (RFC 9110 §13.1.1, §13.1.2).
 */
export interface XcapConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

export type XcapWriteOutcome =
  | { readonly ok: true; readonly etag: string; readonly created: boolean }
  | { readonly ok: false; readonly reason: 'precondition-failed' };

export type XcapDeleteOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'precondition-failed' | 'not-found' };

/**
 * RFC 4826 §4.4.5: a service URI of rls-services is unique across every
 * document on the server, so each one is claimed by the document listing
 * it. `claimedAt` (ms) lets a claim left by a crash be told from one whose
 * document is being written right now.
 */
export interface XcapServiceClaim {
  readonly holder: XcapDocumentRef;
  readonly claimedAt: number;
}

/** Claimed (or already held by that document), or held by another: that claim. */
export type XcapClaimOutcome = { readonly ok: true } | { readonly ok: false; readonly claim: XcapServiceClaim };

/**
 * Whether the conditions hold against the current entity tag (undefined:
 * no document). If-Match needs a document and, unless `*`, the same tag;
 * If-None-Match `*` needs no document, a tag needs a different one or none.
 * The Redis store's Lua script (xcap-change.lua) implements
 * the same rules; the contract suite holds both to them.
 */
export function xcapConditionsHold(current: string | undefined, conditions: XcapConditions = {}): boolean {
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifMatch !== undefined) {
    if (current === undefined) return false;
    if (ifMatch !== '*' && ifMatch !== current) return false;
  }
  if (ifNoneMatch !== undefined && current !== undefined) {
    if (ifNoneMatch === '*' || ifNoneMatch === current) return false;
  }
  return true;
}

/** Order of listings: by auid, then filename, comparing UTF-16 code units (the same in both stores). */
export function compareXcapRefs(a: XcapDocumentRef, b: XcapDocumentRef): number {
  if (a.auid !== b.auid) return a.auid < b.auid ? -1 : 1;
  if (a.filename !== b.filename) return a.filename < b.filename ? -1 : 1;
  return 0;
}
