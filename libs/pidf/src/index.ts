export type { XmlAttribute, XmlElement, XmlNode, XmlText } from './xml-node.js';
export { childElements, getAttribute, isElement, textContent } from './xml-node.js';
export type { PidfLimits } from './pidf-limits.js';
export { defaultPidfLimits } from './pidf-limits.js';
export type { PidfDocument } from './pidf-document.js';
export type { PidfErrorKind } from './pidf-error.js';
export { PidfError, XmlDocumentError } from './pidf-error.js';
export {
  CAPS_NS,
  CIPID_NS,
  DATA_MODEL_NS,
  GEOPRIV_NS,
  LOCATION_TYPE_NS,
  PIDF_DIFF_NS,
  PIDF_NS,
  RPID_NS,
  XML_NS,
} from './namespaces.js';
export { parsePidf } from './parse-pidf.js';
export type { TreeParseOptions } from './xml-tree-parser.js';
export { parseXmlTree } from './xml-tree-parser.js';
export { escapeAttribute, escapeText } from './xml-escape.js';
export { XML_DECLARATION } from './render-pidf.js';
export { renderPidf, renderPresence } from './render-pidf.js';
export type { PidfSource } from './compose-pidf.js';
export { composePidf, emptyPidf } from './compose-pidf.js';
export { entityMatches } from './entity-matches.js';
export type { PatchCondition } from './patch/patch-error.js';
export { PatchError } from './patch/patch-error.js';
export type { PatchOperation } from './patch/apply-patch.js';
export { applyPatch } from './patch/apply-patch.js';
export type { ChildRef, PathStep, PresenceChange } from './patch/diff-presence.js';
export { diffPresence } from './patch/diff-presence.js';
export type { PartialPidf, VersionedXml } from './patch/partial-pidf.js';
export { parsePartialPidf, PIDF_DIFF_CONTENT_TYPE, renderPidfDiff, renderPidfFull, withVersion } from './patch/partial-pidf.js';
export { pidfDiffOf, pidfFullOf, presenceTree } from './patch/presence-patches.js';
