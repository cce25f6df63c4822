import type { PidfDocument } from './pidf-document.js';
import { XML_DECLARATION, renderPresence } from './render-pidf.js';
import { PIDF_NS } from './namespaces.js';
import { escapeAttribute } from './xml-escape.js';
import { getAttribute } from './xml-node.js';
import type { XmlElement } from './xml-node.js';

/** One publication's document and when it was (last) published. */
export interface PidfSource {
  readonly document: PidfDocument;
  readonly publishedAt: number;
}

/** The document of a presentity with no publications. */
export function emptyPidf(entity: string): string {
  return `${XML_DECLARATION}\n<presence xmlns="${PIDF_NS}" entity="${escapeAttribute(entity)}"/>`;
}

/**
 * Composes the publications of one presentity into one document.
 *
 * RFC 3903 §4 leaves composition policy to the ESC; RFC 4479 §3.4 says the
 * presence document is the union of the information about services, persons
 * and devices. We keep everything and only collapse elements that describe
 * the same thing (same kind, same id): the freshest publication wins, ties go
 * to the later source. Ids keep the position of their first appearance so a
 * republication does not reorder the document for watchers.
 */
export function composePidf(entity: string, sources: readonly PidfSource[]): string {
  if (sources.length === 0) return emptyPidf(entity);
  const tuples = new NewestById();
  const persons = new NewestById();
  const devices = new NewestById();
  const notes: XmlElement[] = [];
  const others: XmlElement[] = [];
  for (const { document, publishedAt } of sources) {
    for (const tuple of document.tuples) tuples.offer(tuple, publishedAt);
    for (const person of document.persons) persons.offer(person, publishedAt);
    for (const device of document.devices) devices.offer(device, publishedAt);
    for (const note of document.notes) notes.push(note);
    for (const other of document.others) others.push(other);
  }
  return renderPresence(entity, [
    tuples.elements(),
    notes,
    persons.elements(),
    devices.elements(),
    others,
  ]);
}

class NewestById {
  private readonly byId = new Map<string, { element: XmlElement; publishedAt: number }>();
  private readonly withoutId: XmlElement[] = [];

  offer(element: XmlElement, publishedAt: number): void {
    const id = getAttribute(element, 'id');
    // Parsed documents always carry ids; hand-built ones without are kept as is.
    if (id === undefined) {
      this.withoutId.push(element);
      return;
    }
    const current = this.byId.get(id);
    // Map.set on an existing key keeps its insertion position: first appearance.
    if (current === undefined || publishedAt >= current.publishedAt) {
      this.byId.set(id, { element, publishedAt });
    }
  }

  elements(): XmlElement[] {
    const out: XmlElement[] = [];
    for (const { element } of this.byId.values()) out.push(element);
    for (const element of this.withoutId) out.push(element);
    return out;
  }
}
