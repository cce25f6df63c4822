import { XML_DECLARATION, escapeAttribute } from '@presence/pidf';
import { XCAP_DIFF_NS } from '../namespaces.js';

/** One `<document>` of an xcap-diff body: both etags for a change, only the new one in full state, only the previous one when deleted. */
export interface XcapDiffDocument {
  readonly sel: string;
  readonly previousEtag?: string;
  readonly newEtag?: string;
}

export const XCAP_DIFF_CONTENT_TYPE = 'application/xcap-diff+xml';

/** Renders an xcap-diff document (RFC 5874 §4) listing documents by selector and entity tags, without patches. */
export function renderXcapDiff(xcapRoot: string, documents: readonly XcapDiffDocument[]): string {
  const out: string[] = [XML_DECLARATION, '\n<xcap-diff xmlns="', XCAP_DIFF_NS, '" xcap-root="', escapeAttribute(xcapRoot), '"'];
  if (documents.length === 0) return [...out, '/>'].join('');
  out.push('>');
  for (const document of documents) {
    out.push('<document sel="', escapeAttribute(document.sel), '"');
    if (document.previousEtag !== undefined) out.push(' previous-etag="', escapeAttribute(document.previousEtag), '"');
    if (document.newEtag !== undefined) out.push(' new-etag="', escapeAttribute(document.newEtag), '"');
    out.push('/>');
  }
  out.push('</xcap-diff>');
  return out.join('');
}
