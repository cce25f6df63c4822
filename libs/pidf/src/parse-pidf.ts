import { Buffer } from 'node:buffer';
import { DATA_MODEL_NS, PIDF_NS } from './namespaces.js';
import type { PidfDocument } from './pidf-document.js';
import { PidfError } from './pidf-error.js';
import { defaultPidfLimits } from './pidf-limits.js';
import type { PidfLimits } from './pidf-limits.js';
import { parseXmlTree } from './xml-tree-parser.js';
import { getAttribute, isElement } from './xml-node.js';
import type { XmlElement } from './xml-node.js';

/**
 * Parses and validates an application/pidf+xml body.
 * @throws PidfError with a reason phrase fit for a 400 (or 413) response.
 */
export function parsePidf(xml: string, limits: PidfLimits = defaultPidfLimits): PidfDocument {
  // Every UTF-16 unit encodes to at least one UTF-8 byte, so the length is a
  // free lower bound; count exact bytes only when it could matter.
  if (xml.length > limits.maxBytes || Buffer.byteLength(xml, 'utf8') > limits.maxBytes) {
    throw new PidfError('too-large', 'PIDF body too large');
  }
  const root = parseXmlTree(xml, { limits, checkRoot });

  // RFC 3863 §4.1.1: the <presence> element MUST have an 'entity' attribute.
  const entity = getAttribute(root, 'entity');
  if (entity === undefined || entity.trim() === '') {
    throw new PidfError('invalid', 'Invalid PIDF: presence without entity');
  }

  const tuples: XmlElement[] = [];
  const persons: XmlElement[] = [];
  const devices: XmlElement[] = [];
  const notes: XmlElement[] = [];
  const others: XmlElement[] = [];
  const tupleIds = new Set<string>();
  const personIds = new Set<string>();
  const deviceIds = new Set<string>();

  for (const child of root.children) {
    // Stray text directly under <presence> has no place in the schema and
    // carries no presence information; it is dropped rather than refused.
    if (!isElement(child)) continue;
    if (child.ns === PIDF_NS && child.name === 'tuple') {
      checkTuple(child, tupleIds);
      tuples.push(child);
    } else if (child.ns === PIDF_NS && child.name === 'note') {
      notes.push(child);
    } else if (child.ns === DATA_MODEL_NS && child.name === 'person') {
      requireUniqueId(child, 'person', personIds);
      persons.push(child);
    } else if (child.ns === DATA_MODEL_NS && child.name === 'device') {
      requireUniqueId(child, 'device', deviceIds);
      devices.push(child);
    } else {
      others.push(child);
    }
  }
  return { entity, tuples, persons, devices, notes, others };
}

function checkRoot(ns: string, name: string): void {
  // RFC 3863 §4.1.1: the root is <presence> in the PIDF namespace.
  if (ns !== PIDF_NS || name !== 'presence') {
    throw new PidfError('invalid', `Invalid PIDF: root element is not {${PIDF_NS}}presence`);
  }
}

function checkTuple(tuple: XmlElement, seen: Set<string>): void {
  // RFC 3863 §4.1.2: a tuple MUST carry an 'id' and contain one <status>.
  requireUniqueId(tuple, 'tuple', seen);
  const hasStatus = tuple.children.some(
    (child) => isElement(child) && child.ns === PIDF_NS && child.name === 'status',
  );
  if (!hasStatus) throw new PidfError('invalid', 'Invalid PIDF: tuple without status');
}

/**
 * RFC 3863 §4.1.2 and the RFC 4479 schema type 'id' as xs:ID: required
 * and unique. Uniqueness matters here because composition de-duplicates by id.
 */
function requireUniqueId(element: XmlElement, kind: string, seen: Set<string>): void {
  const id = getAttribute(element, 'id');
  if (id === undefined || id === '') {
    throw new PidfError('invalid', `Invalid PIDF: ${kind} without id`);
  }
  if (seen.has(id)) throw new PidfError('invalid', `Invalid PIDF: duplicate ${kind} id`);
  seen.add(id);
}
