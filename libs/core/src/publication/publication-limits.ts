import { ForbiddenError, RequestEntityTooLargeError } from '../errors/catalogue.js';
import type { Publication } from '../model/publication.js';

/**
 * What one presentity may hold. RFC 3903 sets no bound; without one a single
 * publisher can grow the composed document (and every NOTIFY) without end.
 */
export interface PublicationLimits {
  /** Live publications per presentity; an initial one past it is 403. */
  readonly maxPublications: number;
  /**
   * UTF-8 bytes of all published bodies together; a PUBLISH that grows the
   * total past it is 413. The sum bounds the composed document (which only
   * merges the bodies' tuples) without composing it.
   */
  readonly maxDocumentBytes: number;
}

export const DEFAULT_PUBLICATION_LIMITS: PublicationLimits = { maxPublications: 16, maxDocumentBytes: 64 * 1024 };

/**
 * Refuses `after` (the publications a PUBLISH would leave) when it breaks a
 * limit that `before` (the live ones) did not already break worse: a refresh,
 * removal or a modification that does not grow the state always passes, so
 * lowering a limit never locks a publisher out of shrinking its state.
 *
 * @throws ForbiddenError (403) "Too many publications for this presentity (max N)".
 * @throws RequestEntityTooLargeError (413) "Presence document too large (max N bytes)".
 */
export function checkPublicationLimits(before: readonly Publication[], after: readonly Publication[], limits: PublicationLimits): void {
  if (after.length > limits.maxPublications && after.length > before.length) {
    throw new ForbiddenError(`Too many publications for this presentity (max ${limits.maxPublications})`);
  }
  const size = bodyBytes(after);
  if (size > limits.maxDocumentBytes && size > bodyBytes(before)) {
    throw new RequestEntityTooLargeError(`Presence document too large (max ${limits.maxDocumentBytes} bytes)`);
  }
}

function bodyBytes(publications: readonly Publication[]): number {
  return publications.reduce((sum, p) => sum + utf8Length(p.body), 0);
}

/** UTF-8 length without Buffer or TextEncoder: core depends on no runtime. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4; // a surrogate pair is one 4-byte code point
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
