/**
 * One event state publication (RFC 3903 §2): a body identified by an entity-tag,
 * soft state that lapses at `expiresAt` unless refreshed.
 */
export interface Publication {
  readonly etag: string;
  /** Absolute expiry, ms since the epoch. */
  readonly expiresAt: number;
  /** When the body was last set (initial publish or modify), ms; orders publications for composition. */
  readonly publishedAt: number;
  readonly contentType: string;
  /** Body as published (UTF-8 text). */
  readonly body: string;
  /**
   * The entity-tag this one replaced (by a refresh or modify), still accepted
   * in SIP-If-Match until `supersededUntil` (ms): see SUPERSEDED_ETAG_GRACE_MS.
   */
  readonly supersededEtag?: string;
  readonly supersededUntil?: number;
}
