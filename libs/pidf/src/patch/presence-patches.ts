import { PIDF_NS } from '../namespaces.js';
import { PidfError } from '../pidf-error.js';
import { defaultPidfLimits } from '../pidf-limits.js';
import type { PidfLimits } from '../pidf-limits.js';
import { getAttribute, isElement } from '../xml-node.js';
import type { XmlElement } from '../xml-node.js';
import { parseXmlTree } from '../xml-tree-parser.js';
import { diffPresence } from './diff-presence.js';
import { renderPidfDiff, renderPidfFull } from './partial-pidf.js';
import type { VersionedXml } from './partial-pidf.js';

/** A presence document as a tree, for diffing and patching (the document's own structure, not split by kind as PidfDocument is). */
export function presenceTree(xml: string, limits: PidfLimits = defaultPidfLimits): XmlElement {
  return parseXmlTree(xml, {
    limits,
    checkRoot: (ns, name) => {
      if (ns !== PIDF_NS || name !== 'presence') throw new PidfError('invalid', `Invalid PIDF: root element is not {${PIDF_NS}}presence`);
    },
  });
}

/** The document as `<pidf-full>` (RFC 5262), version left to fill in. */
export function pidfFullOf(presence: XmlElement): VersionedXml {
  return renderPidfFull(getAttribute(presence, 'entity') ?? '', presence.children.filter(isElement));
}

/**
 * The `<pidf-diff>` that turns `from` into `to`, or undefined when a
 * patch cannot say it or would be no smaller than the full document:
 * a watcher is then sent `<pidf-full>` instead.
 */
export function pidfDiffOf(from: XmlElement, to: XmlElement, fullLength: number): VersionedXml | undefined {
  const changes = diffPresence(from, to);
  if (changes === undefined) return undefined;
  const diff = renderPidfDiff(getAttribute(to, 'entity') ?? '', changes);
  return diff.before.length + diff.after.length < fullLength ? diff : undefined;
}
