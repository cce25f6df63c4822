import { PIDF_NS, XML_NS, XMLNS_NS, wellKnownPrefixes } from './namespaces.js';
import type { PidfDocument } from './pidf-document.js';
import { escapeAttribute, escapeText } from './xml-escape.js';
import { isElement } from './xml-node.js';
import type { XmlAttribute, XmlElement } from './xml-node.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Renders a document: deterministic, compact, namespaces declared once on the root. */
export function renderPidf(doc: PidfDocument): string {
  // RFC 3863 §4.1.1: tuples, then notes, then extension elements.
  return renderPresence(doc.entity, [doc.tuples, doc.notes, doc.persons, doc.devices, doc.others]);
}

/**
 * Renders a <presence> root with the given children, in order. Two linear
 * passes: one to assign prefixes (so every declaration sits on the root),
 * one to write.
 */
export function renderPresence(
  entity: string,
  groups: readonly (readonly XmlElement[])[],
): string {
  const writer = new PidfWriter();
  for (const group of groups) for (const element of group) writer.collect(element);
  const out = writer.parts;
  out.push(XML_DECLARATION, '\n<presence xmlns="', PIDF_NS, '"');
  for (const [ns, prefix] of writer.prefixes) {
    out.push(' xmlns:', prefix, '="', escapeAttribute(ns), '"');
  }
  out.push(' entity="', escapeAttribute(entity), '"');
  let empty = true;
  for (const group of groups) {
    for (const element of group) {
      if (empty) out.push('>');
      empty = false;
      writer.element(element, PIDF_NS);
    }
  }
  out.push(empty ? '/>' : '</presence>');
  return out.join('');
}

/**
 * Writes elements with every namespace declared once, on the root: collect
 * every element first (and declare any namespace a selector names), then
 * write the root's declarations (`prefixes`), then the elements.
 */
export class PidfWriter {
  readonly parts: string[] = [];
  /** Declared prefixes, in order of first appearance. */
  readonly prefixes = new Map<string, string>();
  private unknown = 0;

  collect(element: XmlElement): void {
    // PIDF and no-namespace elements use the default namespace instead.
    if (element.ns !== PIDF_NS && element.ns !== '') this.declare(element.ns);
    for (const attribute of element.attributes) {
      if (attribute.ns !== '') this.declare(attribute.ns);
    }
    for (const child of element.children) if (isElement(child)) this.collect(child);
  }

  element(element: XmlElement, defaultNs: string): void {
    const out = this.parts;
    let name = element.name;
    let childDefault = defaultNs;
    let declaration = '';
    if (element.ns === PIDF_NS || element.ns === '') {
      // Unqualified elements must undeclare the default namespace, and PIDF
      // elements below them must declare it again.
      if (element.ns !== defaultNs) {
        declaration = ` xmlns="${escapeAttribute(element.ns)}"`;
        childDefault = element.ns;
      }
    } else {
      name = `${this.prefixOf(element.ns)}:${element.name}`;
    }
    out.push('<', name, declaration);
    for (const attribute of element.attributes) this.attribute(attribute);
    let empty = true;
    for (const child of element.children) {
      if (isElement(child)) {
        if (empty) out.push('>');
        empty = false;
        this.element(child, childDefault);
      } else if (child.text !== '') {
        if (empty) out.push('>');
        empty = false;
        out.push(escapeText(child.text));
      }
    }
    if (empty) out.push('/>');
    else out.push('</', name, '>');
  }

  private attribute(attribute: XmlAttribute): void {
    // Namespace declarations are produced by the writer itself.
    if (attribute.ns === XMLNS_NS || (attribute.ns === '' && attribute.name === 'xmlns')) return;
    const name =
      attribute.ns === '' ? attribute.name : `${this.prefixOf(attribute.ns)}:${attribute.name}`;
    this.parts.push(' ', name, '="', escapeAttribute(attribute.value), '"');
  }

  declare(ns: string): void {
    if (ns === XML_NS || ns === XMLNS_NS || this.prefixes.has(ns)) return;
    // A prefix for PIDF itself is only needed by qualified PIDF attributes,
    // since attributes never take the default namespace.
    const prefix = wellKnownPrefixes.get(ns) ?? (ns === PIDF_NS ? 'pidf' : `ns${++this.unknown}`);
    this.prefixes.set(ns, prefix);
  }

  prefixOf(ns: string): string {
    if (ns === XML_NS) return 'xml';
    const prefix = this.prefixes.get(ns);
    if (prefix === undefined) throw new Error(`namespace not collected: ${ns}`);
    return prefix;
  }
}
