import type { XcapConflict } from './xcap-failure.js';

export const XCAP_ERROR_NS = 'urn:ietf:params:xml:ns:xcap-error';
export const XCAP_ERROR_MIME = 'application/xcap-error+xml';

/** RFC 4825 §11.1: `<xcap-error>` holding the one element naming the condition. */
export function renderXcapError(conflict: XcapConflict): string {
  const phrase = conflict.phrase === undefined ? '' : ` phrase="${escapeXml(conflict.phrase)}"`;
  const inner: string[] = [];
  if (conflict.ancestor !== undefined) inner.push(`<ancestor>${escapeXml(conflict.ancestor)}</ancestor>`);
  for (const exists of conflict.exists ?? []) {
    const alts = (exists.altValues ?? []).map((alt) => `<alt-value>${escapeXml(alt)}</alt-value>`).join('');
    inner.push(alts === '' ? `<exists field="${escapeXml(exists.field)}"/>` : `<exists field="${escapeXml(exists.field)}">${alts}</exists>`);
  }
  const element = inner.length === 0 ? `<${conflict.kind}${phrase}/>` : `<${conflict.kind}${phrase}>${inner.join('')}</${conflict.kind}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-error xmlns="${XCAP_ERROR_NS}">${element}</xcap-error>\n`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
