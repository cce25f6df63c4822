import { parseXmlTree, PidfError, type PidfLimits, type XmlElement } from '@presence/pidf';
import type { ApplicationUsage } from '../domain/application-usages.js';
import { checkUsageConstraints } from '../domain/usage-constraints.js';
import { conflict, XcapFailure } from '../domain/xcap-failure.js';

/**
 * Bounds of an XCAP document, enforced by libs/pidf's hardened reader
 * before anything else reads it (no DOCTYPE, size, depth, element and
 * attribute counts). A buddy list of a few thousand entries fits.
 */
export const XCAP_DOCUMENT_LIMITS: PidfLimits = Object.freeze({
  maxBytes: 512 * 1024,
  maxDepth: 32,
  maxElements: 20_000,
  maxAttributes: 64,
});

/** What a resulting document must pass beyond being well-formed: its usage's XML schema (a 409 <schema-validation-error> when not). */
export interface DocumentValidator {
  validate(usage: ApplicationUsage, document: string): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** RFC 4825 §8.2.1: a body that is not UTF-8 is 409 <not-utf-8>. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    throw conflict('not-utf-8', 'the body is not valid UTF-8');
  }
}

/**
 * Every document the server would store passes here: the hardened reader
 * first (not well-formed, a DOCTYPE, or past a bound: 409), then the
 * document element of the usage, then the usage's schema, then its
 * uniqueness constraints (RFC 4825 §8.2.5 order: schema before constraints).
 */
export function checkDocument(usage: ApplicationUsage, document: string, validator: DocumentValidator | undefined): void {
  if (Buffer.byteLength(document, 'utf8') > XCAP_DOCUMENT_LIMITS.maxBytes) {
    throw new XcapFailure(409, `Conflict: the document would exceed ${XCAP_DOCUMENT_LIMITS.maxBytes} bytes`, { kind: 'constraint-failure', phrase: `document larger than ${XCAP_DOCUMENT_LIMITS.maxBytes} bytes` });
  }
  let root: XmlElement;
  try {
    root = parseXmlTree(document, { limits: XCAP_DOCUMENT_LIMITS, label: `${usage.auid} document` });
  } catch (error) {
    if (!(error instanceof PidfError)) throw error;
    if (error.kind === 'limit') throw conflict('constraint-failure', error.message);
    throw conflict('not-well-formed', error.message);
  }
  if (root.ns !== usage.rootNs || root.name !== usage.rootName) {
    throw conflict('schema-validation-error', `the document element must be <${usage.rootName}> in ${usage.rootNs}, got <${root.name}> in ${root.ns === '' ? 'no namespace' : root.ns}`);
  }
  validator?.validate(usage, document);
  checkUsageConstraints(usage.auid, root);
}
