import { randomBytes } from 'node:crypto';
import { XCAP_SCOPES, type XcapConditions, type XcapDocumentRef, type XcapServiceClaim } from '@presence/core';

/**
 * Refuses a reference no store may hold (RangeError naming the field): an
 * auid is one non-empty path segment, a users document has an owner and a
 * global one none, a filename is non-empty. Both stores check the same way,
 * so `<auid>/<filename>` always splits back at its first `/`.
 */
export function assertXcapRef(ref: XcapDocumentRef): void {
  if (typeof ref.auid !== 'string' || ref.auid === '' || ref.auid.includes('/')) throw new RangeError(`bad xcap document auid: expected one non-empty path segment, got ${JSON.stringify(ref.auid)}`);
  if (!XCAP_SCOPES.includes(ref.scope)) throw new RangeError(`bad xcap document scope: expected users or global, got ${JSON.stringify(ref.scope)}`);
  assertXcapOwner(ref.scope, ref.owner);
  if (typeof ref.filename !== 'string' || ref.filename === '') throw new RangeError('bad xcap document filename: expected a non-empty string');
}

export function assertXcapOwner(scope: XcapDocumentRef['scope'], owner: string): void {
  if (!XCAP_SCOPES.includes(scope)) throw new RangeError(`bad xcap document scope: expected users or global, got ${JSON.stringify(scope)}`);
  if (scope === 'users' && (typeof owner !== 'string' || owner === '')) throw new RangeError('bad xcap document owner: a users document needs its AOR');
  if (scope === 'global' && owner !== '') throw new RangeError('bad xcap document owner: a global document has none');
}

export function assertXcapConditions(conditions: XcapConditions): void {
  for (const [name, value] of Object.entries(conditions)) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new RangeError(`bad xcap condition ${name}: expected an entity tag or *`);
  }
}

/** Field of a document inside its owner's collection. */
export function xcapField(ref: XcapDocumentRef): string {
  return `${ref.auid}/${ref.filename}`;
}

/** The reference back from its owner and field (assertXcapRef guarantees the split). */
export function xcapRefOf(scope: XcapDocumentRef['scope'], owner: string, field: string): XcapDocumentRef {
  const slash = field.indexOf('/');
  return { auid: field.slice(0, slash), scope, owner, filename: field.slice(slash + 1) };
}

/** A fresh entity tag: 128 random bits, so no two versions of any document share one. */
export function newXcapEtag(): string {
  return randomBytes(16).toString('base64url');
}

/** Longest service URI claimed; a longer one is refused (RangeError) rather than stored as a key. */
const MAX_SERVICE_URI_LENGTH = 2048;

export function assertServiceUri(uri: string): void {
  if (typeof uri !== 'string' || uri === '' || uri.length > MAX_SERVICE_URI_LENGTH) throw new RangeError(`bad xcap service uri: expected 1 to ${MAX_SERVICE_URI_LENGTH} characters`);
}

/** The holder as both stores compare it: one exact string per document. */
export function xcapHolderText(ref: XcapDocumentRef): string {
  return JSON.stringify([ref.scope, ref.owner, ref.auid, ref.filename]);
}

/** `<claimedAt>\n<holder>`: both stores keep a claim so, and compare a replaced one by this text. */
export function encodeXcapClaim(claim: XcapServiceClaim): string {
  return `${claim.claimedAt}\n${xcapHolderText(claim.holder)}`;
}

/** The claim back from its text; undefined when it is not one (the caller names the record). */
export function decodeXcapClaim(text: string): XcapServiceClaim | undefined {
  const newline = text.indexOf('\n');
  const claimedAt = Number(text.slice(0, newline));
  if (newline < 1 || !Number.isSafeInteger(claimedAt)) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(text.slice(newline + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 4 || !parts.every((part) => typeof part === 'string')) return undefined;
  const [scope, owner, auid, filename] = parts as string[];
  if (!XCAP_SCOPES.includes(scope as XcapDocumentRef['scope'])) return undefined;
  return { holder: { scope: scope as XcapDocumentRef['scope'], owner: owner!, auid: auid!, filename: filename! }, claimedAt };
}
