import { normalizeAor, type XcapDocumentRef } from '@presence/core';
import { applicationUsage, type ApplicationUsage } from './application-usages.js';
import { XcapFailure } from './xcap-failure.js';

/** RFC 4825 §6: the XCAP root this server answers under (advertised in xcap-caps). */
export const XCAP_ROOT_PATH = '/xcap-root';

/** What one request URI names: a document, and maybe a node in it. */
export interface XcapUri {
  readonly usage: ApplicationUsage;
  readonly ref: XcapDocumentRef;
  /** The document's path from the root (percent-encoded as received), for <ancestor> in errors. */
  readonly documentPath: string;
  /** The node selector after `~~`, percent-decoded; absent for the whole document. */
  readonly nodeSelector?: string;
  /** Prefix bindings of the query's xmlns() parts (RFC 4825 §6.4). */
  readonly namespaces: ReadonlyMap<string, string>;
}

/** RFC 4825 §6: the separator between document selector and node selector. */
const NODE_SELECTOR_SEPARATOR = '/~~/';
const XMLNS_PART = /^xmlns\(([A-Za-z_][A-Za-z0-9._-]*)=([^)]*)\)/;

/**
 * Parses `/xcap-root/<auid>/(users/<xui>|global)/<document path>[/~~/<node selector>]`
 * with its query. A path outside the root, an unknown auid or a user
 * part that is no SIP AOR names nothing here: 404. Bad percent-encoding
 * or a bad query: 400.
 */
export function parseXcapUri(pathname: string, query: string): XcapUri {
  if (!pathname.startsWith(`${XCAP_ROOT_PATH}/`)) throw new XcapFailure(404, 'Not Found: outside the XCAP root /xcap-root');
  const rest = pathname.slice(XCAP_ROOT_PATH.length + 1);
  const split = rest.indexOf(NODE_SELECTOR_SEPARATOR);
  const documentPart = split === -1 ? rest : rest.slice(0, split);
  const selectorPart = split === -1 ? undefined : rest.slice(split + NODE_SELECTOR_SEPARATOR.length);
  const segments = documentPart.split('/').map(decodeSegment);
  const [auid, scope, ...tail] = segments;
  const usage = auid === undefined ? undefined : applicationUsage(auid);
  if (usage === undefined) throw new XcapFailure(404, `Not Found: no application usage "${auid ?? ''}"`);
  let owner = '';
  let fileSegments: string[];
  if (scope === 'users') {
    const xui = tail[0] ?? '';
    try {
      owner = normalizeAor(xui);
    } catch {
      throw new XcapFailure(404, `Not Found: user "${xui}" is not a SIP address of record`);
    }
    fileSegments = tail.slice(1);
  } else if (scope === 'global') {
    fileSegments = tail;
  } else {
    throw new XcapFailure(404, `Not Found: expected users/<xui> or global after the auid, got "${scope ?? ''}"`);
  }
  if (fileSegments.length === 0 || fileSegments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new XcapFailure(404, 'Not Found: no document name (empty, "." or ".." path segment)');
  }
  const nodeSelector = selectorPart === undefined ? undefined : decodeSegment(selectorPart);
  if (nodeSelector === '') throw new XcapFailure(400, 'Bad Request: empty node selector after ~~');
  return {
    usage,
    ref: { auid: usage.auid, scope, owner, filename: fileSegments.join('/') },
    documentPath: `${XCAP_ROOT_PATH}/${documentPart}`,
    ...(nodeSelector === undefined ? {} : { nodeSelector }),
    namespaces: parseXmlnsQuery(query),
  };
}

/** RFC 4825 §6.4: the query is a sequence of XPointer xmlns(prefix=uri) parts binding node-selector prefixes. */
export function parseXmlnsQuery(query: string): Map<string, string> {
  const bindings = new Map<string, string>();
  let text = decodeSegment(query.startsWith('?') ? query.slice(1) : query);
  while (text.length > 0) {
    const match = XMLNS_PART.exec(text);
    if (match === null) throw new XcapFailure(400, `Bad Request: query must be xmlns(prefix=namespace) parts, got "${text.slice(0, 60)}"`);
    bindings.set(match[1]!, match[2]!.trim());
    text = text.slice(match[0].length);
  }
  return bindings;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new XcapFailure(400, `Bad Request: bad percent-encoding in "${segment.slice(0, 60)}"`);
  }
}
