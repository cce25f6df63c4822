import type { Clock, XcapDocumentRef, XcapDocumentStore } from '@presence/core';
import { XcapFailure } from '../domain/xcap-failure.js';
import { serviceUrisOf } from './document-checks.js';

/**
 * A claim whose document does not list its URI is taken over once this
 * old: far longer than a write takes between claiming and storing the
 * document (store calls time out in seconds), so only a claim a crash or a
 * lost race left behind is ever taken, never one whose write is under way.
 */
export const STALE_CLAIM_MS = 60_000;

/** Candidates looked up for an <alt-value>, each one store read. */
const MAX_ALTERNATIVES_TRIED = 5;

const FIELD = 'rls-services/service/@uri';

/**
 * RFC 4826 §4.4.5: a service URI is unique across every rls-services
 * document on the server, every user's. The store holds one claim per URI
 * (a key in the URI's own slot, so no cross-slot script is needed); a
 * write claims every URI its new document lists before the document's
 * compare-and-set, and gives up the ones it dropped after. A crash between
 * the two steps leaves either a claim nobody lists, which the next writer
 * wanting that URI takes over once STALE_CLAIM_MS old, or a listed URI
 * without a claim, which the document's next write claims again (so do
 * documents stored before the claims existed).
 */
export class ServiceUriClaims {
  constructor(
    private readonly store: XcapDocumentStore,
    private readonly clock: Clock,
  ) {}

  /** Claims `uris` for `ref`; a URI another document lists is 409 <uniqueness-failure>, with a free alternative when one is found. */
  async claimAll(ref: XcapDocumentRef, uris: readonly string[]): Promise<void> {
    for (const uri of uris) await this.claim(ref, uri);
  }

  /**
   * After a committed write: releases the URIs the document no longer
   * lists, then claims back any of them a concurrent write of the same
   * document listed again meanwhile.
   */
  async releaseDropped(ref: XcapDocumentRef, dropped: readonly string[]): Promise<void> {
    if (dropped.length === 0) return;
    for (const uri of dropped) await this.store.releaseXcapServiceUri(uri, ref);
    const now = await this.store.xcapDocument(ref);
    const listed = now === undefined ? [] : serviceUrisOf(now.body);
    for (const uri of dropped) if (listed.includes(uri)) await this.store.claimXcapServiceUri(uri, ref, this.clock.now());
  }

  private async claim(ref: XcapDocumentRef, uri: string): Promise<void> {
    const now = this.clock.now();
    const outcome = await this.store.claimXcapServiceUri(uri, ref, now);
    if (outcome.ok) return;
    const standing = outcome.claim;
    if (now - standing.claimedAt >= STALE_CLAIM_MS && !(await this.lists(standing.holder, uri))) {
      if ((await this.store.claimXcapServiceUri(uri, ref, now, standing)).ok) return;
    }
    throw await this.taken(uri);
  }

  private async lists(holder: XcapDocumentRef, uri: string): Promise<boolean> {
    const document = await this.store.xcapDocument(holder);
    return document !== undefined && serviceUrisOf(document.body).includes(uri);
  }

  private async taken(uri: string): Promise<XcapFailure> {
    const alternative = await this.freeAlternative(uri);
    return new XcapFailure(409, `Conflict: service uri "${uri}" is already used by another document`, {
      kind: 'uniqueness-failure',
      phrase: `${FIELD} "${uri}" is already used on this server`,
      exists: [{ field: FIELD, ...(alternative === undefined ? {} : { altValues: [alternative] }) }],
    });
  }

  /** `sip:friends-2@example.com` for `sip:friends@example.com`, the first nobody claims; undefined for a URI of another shape. */
  private async freeAlternative(uri: string): Promise<string | undefined> {
    const parts = /^(sips?:)([^@;?]+)(@.+)$/i.exec(uri);
    if (parts === null) return undefined;
    for (let n = 2; n < 2 + MAX_ALTERNATIVES_TRIED; n += 1) {
      const candidate = `${parts[1]!}${parts[2]!}-${n}${parts[3]!}`;
      if ((await this.store.xcapServiceClaim(candidate)) === undefined) return candidate;
    }
    return undefined;
  }
}
