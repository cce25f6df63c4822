import { BadRequestError, ConditionalRequestFailedError, ServerInternalError } from '../errors/catalogue.js';
import type { Publication } from '../model/publication.js';
import { dropExpiredPublications } from './publication-expiry.js';
import { checkPublicationLimits, DEFAULT_PUBLICATION_LIMITS, type PublicationLimits } from './publication-limits.js';

/**
 * How long a publication still answers to the entity-tag its last refresh or
 * modify replaced, when that change was answered too late (markSuperseded).
 * A PUBLISH can be applied while its publisher is told 503: the agent commits
 * in time, but its answer leaves after the request's deadline (event-loop lag
 * after a takeover or a stall) and the edge has given up. The publisher then
 * retries with the entity-tag it holds, one step behind; RFC 3903 §6 would
 * answer 412 and the publisher would start a second publication beside the
 * orphaned one, a ghost tuple until it expires. Only such late changes are
 * marked: every answered-in-time flow keeps RFC 3903's 412 for an old tag.
 * 32 s: Timer F (64*T1), the longest a SIP client transaction lasts.
 */
export const SUPERSEDED_ETAG_GRACE_MS = 32_000;

/** A PUBLISH as the event state compositor sees it, after Event/Expires checks. */
export interface PublishInput {
  /** SIP-If-Match entity-tag, absent on an initial publication. */
  ifMatch?: string;
  /** Already negotiated duration, seconds; 0 removes. */
  expires: number;
  /** Body; absent or empty means "no body" (refresh). */
  body?: string;
  contentType?: string;
}

/** The publications of the presentity after the PUBLISH, and what to answer. */
export interface PublishOutcome {
  publications: Publication[];
  /**
   * SIP-ETag of the 200 response: the new entity-tag, or for a removal the
   * one removed (RFC 3903's example flows echo it; SIP.js warns without it).
   */
  etag: string;
  /** Expires of the 200 response, seconds. */
  expires: number;
  /**
   * True when the set of published bodies changed (initial publish, modify,
   * removal, or lapsed publications dropped on the way): the composed document
   * must be recomputed. False for a pure refresh.
   */
  documentAffected: boolean;
}

/**
 * Applies a PUBLISH to the publications of one presentity, RFC 3903 §6, with
 * the operations of §4.1 Table 1 (Initial / Refresh / Modify / Remove):
 * - lapsed publications (`expiresAt <= now`) are dropped first (§6 step 5:
 *   state lives only for the granted interval);
 * - no SIP-If-Match (Initial, §4.2): a body is required and Expires must be
 *   > 0 (Table 1); a new entity-tag is created (§6 step 4);
 * - SIP-If-Match naming no live publication: 412 (§6 step 4), except the
 *   entity-tag markSuperseded kept for a change answered too late;
 * - SIP-If-Match with Expires 0: Remove (§4.5, §6 step 5), answered with the removed entity-tag;
 * - SIP-If-Match, no body: Refresh — new expiry, same body (§4.3, §6 step 6);
 * - SIP-If-Match with a body: Modify — body replaced (§4.4, §6 step 6);
 * - every successful publication gets a NEW entity-tag (§6 step 7).
 *
 * `newEtag` supplies fresh entity-tags (unique within the presentity).
 *
 * @throws BadRequestError "Missing body in initial PUBLISH" / "Expires 0 requires SIP-If-Match" /
 *   "Missing Content-Type" (RFC 3261 §20.15: a body needs a Content-Type).
 * @throws ConditionalRequestFailedError (412) "Unknown or expired entity-tag".
 * @throws ServerInternalError when `newEtag` returns an entity-tag already in use.
 * @throws ForbiddenError (403) / RequestEntityTooLargeError (413) when an
 *   initial or modifying PUBLISH would break `limits` (see checkPublicationLimits).
 */
export function applyPublish(
  current: readonly Publication[],
  input: PublishInput,
  now: number,
  newEtag: () => string,
  limits: PublicationLimits = DEFAULT_PUBLICATION_LIMITS,
): PublishOutcome {
  const { kept, expired } = dropExpiredPublications(current, now);
  const lapsed = expired.length > 0;
  const hasBody = input.body !== undefined && input.body !== '';
  const expiresAt = now + input.expires * 1000;

  const freshEtag = (): string => {
    const etag = newEtag();
    if (kept.some((p) => p.etag === etag)) throw new ServerInternalError('Entity-tag collision');
    return etag;
  };
  const requireContentType = (): string => {
    if (input.contentType === undefined || input.contentType === '') {
      throw new BadRequestError('Missing Content-Type');
    }
    return input.contentType;
  };

  if (input.ifMatch === undefined) {
    // RFC 3903 §4.1 Table 1, §4.2: an initial PUBLISH must carry event state.
    if (!hasBody) throw new BadRequestError('Missing body in initial PUBLISH');
    // RFC 3903 §4.1 Table 1, §4.5: Expires 0 only removes an existing publication, named by SIP-If-Match.
    if (input.expires === 0) throw new BadRequestError('Expires 0 requires SIP-If-Match');
    const created: Publication = {
      etag: freshEtag(),
      expiresAt,
      publishedAt: now,
      contentType: requireContentType(),
      body: input.body ?? '',
    };
    const publications = [...kept, created];
    checkPublicationLimits(kept, publications, limits);
    return { publications, etag: created.etag, expires: input.expires, documentAffected: true };
  }

  // RFC 3903 §6 step 4: the entity-tag must name a live publication (or have, a moment ago: SUPERSEDED_ETAG_GRACE_MS).
  let index = kept.findIndex((p) => p.etag === input.ifMatch);
  if (index < 0) index = kept.findIndex((p) => p.supersededEtag === input.ifMatch && now < (p.supersededUntil ?? 0));
  const existing = kept[index];
  if (existing === undefined) throw new ConditionalRequestFailedError('Unknown or expired entity-tag');

  // RFC 3903 §6 step 5 / §4.5: Expires 0 removes the publication; the answer names the entity-tag removed.
  if (input.expires === 0) {
    return { publications: kept.filter((_, i) => i !== index), etag: existing.etag, expires: 0, documentAffected: true };
  }

  const replace = (next: Publication): Publication[] => kept.map((p, i) => (i === index ? next : p));

  if (!hasBody) {
    // RFC 3903 §4.3, §6 steps 6-7: refresh — same state, new expiry, new entity-tag.
    const { supersededEtag: _tag, supersededUntil: _until, ...current } = existing;
    const refreshed: Publication = { ...current, etag: freshEtag(), expiresAt };
    return { publications: replace(refreshed), etag: refreshed.etag, expires: input.expires, documentAffected: lapsed };
  }

  // RFC 3903 §4.4, §6 steps 6-7: modify — state replaced, new entity-tag.
  const modified: Publication = {
    etag: freshEtag(),
    expiresAt,
    publishedAt: now,
    contentType: requireContentType(),
    body: input.body ?? '',
  };
  const publications = replace(modified);
  checkPublicationLimits(kept, publications, limits);
  return { publications, etag: modified.etag, expires: input.expires, documentAffected: true };
}

/**
 * After a refresh or modify that produced `etag` from `previousEtag` was
 * answered too late to be trusted (its edge may have answered 503), the
 * publication also answers to `previousEtag` for SUPERSEDED_ETAG_GRACE_MS.
 * Publications are returned unchanged when `etag` is no longer current.
 */
export function markSuperseded(publications: readonly Publication[], etag: string, previousEtag: string, now: number): Publication[] {
  return publications.map((p) => (p.etag === etag ? { ...p, supersededEtag: previousEtag, supersededUntil: now + SUPERSEDED_ETAG_GRACE_MS } : p));
}
