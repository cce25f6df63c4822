import type { Publication } from '../model/publication.js';

/**
 * Splits publications into live and lapsed ones. A publication lapses at its
 * expiry instant (`expiresAt <= now`): its state is removed unless refreshed
 * before (RFC 3903 §4.3, §6 step 5).
 */
export function dropExpiredPublications(
  current: readonly Publication[],
  now: number,
): { kept: Publication[]; expired: Publication[] } {
  const kept: Publication[] = [];
  const expired: Publication[] = [];
  for (const publication of current) {
    (publication.expiresAt <= now ? expired : kept).push(publication);
  }
  return { kept, expired };
}

/** When the next of these publications lapses (RFC 3903 §6 step 5), undefined when there are none. */
export function earliestExpiry(pubs: readonly Publication[]): number | undefined {
  let earliest: number | undefined;
  for (const publication of pubs) {
    if (earliest === undefined || publication.expiresAt < earliest) earliest = publication.expiresAt;
  }
  return earliest;
}
