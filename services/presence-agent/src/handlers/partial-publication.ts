import { BadRequestError, ConditionalRequestFailedError, type Publication } from '@presence/core';
import { applyPatch, isElement, parsePartialPidf, PIDF_DIFF_CONTENT_TYPE, PidfError, presenceTree, renderPresence, type PatchOperation } from '@presence/pidf';

/** What every publication is stored as: a partial one is stored as the whole document it makes. */
export const PIDF_CONTENT_TYPE = 'application/pidf+xml';

/** A PUBLISH body after its partial form (RFC 5264) was read: a full PIDF to store, or a patch to apply to the stored one. */
export type PublishedBody = { readonly kind: 'pidf'; readonly body: string | undefined; readonly contentType: string | undefined } | { readonly kind: 'patch'; readonly operations: readonly PatchOperation[] };

/**
 * RFC 5264 §4: an application/pidf-diff+xml PUBLISH carries the full state
 * (`<pidf-full>`, stored as the PIDF document it holds) or changes to the
 * publication its SIP-If-Match names (`<pidf-diff>`). A patch needs that
 * publication: without SIP-If-Match there is none to patch, 412 as for an
 * unknown entity-tag (RFC 3903 §6 step 4). Other bodies pass unchanged.
 * @throws BadRequestError (400) naming what is wrong with the body.
 */
export function readPublishedBody(body: string | undefined, contentType: string | undefined, ifMatch: string | undefined): PublishedBody {
  if (body === undefined || contentType !== PIDF_DIFF_CONTENT_TYPE) return { kind: 'pidf', body, contentType };
  const partial = refusedAs400(() => parsePartialPidf(body));
  if (partial.kind === 'full') return { kind: 'pidf', body: renderPresence(partial.entity, [partial.presence.children.filter(isElement)]), contentType: PIDF_CONTENT_TYPE };
  if (ifMatch === undefined) throw new ConditionalRequestFailedError('Conditional Request Failed: a pidf-diff needs SIP-If-Match naming the publication it patches');
  return { kind: 'patch', operations: partial.operations };
}

/**
 * The stored publication `ifMatch` names with the patch applied, as the
 * PIDF body that replaces it; undefined when no live publication has that
 * entity-tag (the caller's RFC 3903 processing answers 412). The stored
 * body is only read: a patch that fails leaves it as it was.
 * @throws BadRequestError (400) naming the RFC 5261 condition.
 */
export function patchedBody(publications: readonly Publication[], ifMatch: string, operations: readonly PatchOperation[], now: number): string | undefined {
  const existing = publications.find((p) => p.expiresAt > now && (p.etag === ifMatch || (p.supersededEtag === ifMatch && now < (p.supersededUntil ?? 0))));
  if (existing === undefined) return undefined;
  return refusedAs400(() => {
    const patched = applyPatch(presenceTree(existing.body), operations);
    const entity = patched.attributes.find((a) => a.ns === '' && a.name === 'entity')?.value ?? '';
    return renderPresence(entity, [patched.children.filter(isElement)]);
  });
}

/** RFC 3903 §6 step 7: a body the ESC cannot process is refused with 400, its reason naming the problem. */
function refusedAs400<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof PidfError) throw new BadRequestError(error.reason, { cause: error });
    throw error;
  }
}
