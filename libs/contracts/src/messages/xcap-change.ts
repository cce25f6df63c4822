import type { XcapScope } from '@presence/core';

/**
 * Announced on `Subjects.xcapChange(auid)` after an XCAP document was
 * created, replaced or deleted (the store holds the truth; this only says
 * "read again"). Agents drop cached pres-rules of `owner`, edges refresh
 * resource lists and notify xcap-diff subscribers (RFC 5875). Core NATS may
 * lose one, so a reader that caches by entity tag must be able to
 * re-check it on its own schedule.
 */
export interface XcapChangeEvent {
  readonly v: 1;
  readonly type: 'xcap-change';
  readonly auid: string;
  readonly scope: XcapScope;
  /** Canonical AOR for scope `users`, '' for `global`. */
  readonly owner: string;
  readonly filename: string;
  /** Entity tag before the change; absent when the document was created. */
  readonly previousEtag?: string;
  /** Entity tag after the change; absent when the document was deleted. */
  readonly etag?: string;
  /** When the store committed the change (ms since epoch). */
  readonly changedAt: number;
}
