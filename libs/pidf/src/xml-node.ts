/** One attribute; `name` is the local name, `ns` is '' when unqualified. */
export interface XmlAttribute {
  readonly ns: string;
  readonly name: string;
  readonly value: string;
}

/**
 * A namespace-resolved element. Prefixes are deliberately not kept: two
 * documents that differ only in prefix choice are the same document
 * (Namespaces in XML), and the renderer picks its own prefixes.
 */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
}

export interface XmlText {
  readonly text: string;
}

export type XmlNode = XmlElement | XmlText;

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

/** Value of an attribute by namespace and local name (unqualified by default). */
export function getAttribute(element: XmlElement, name: string, ns = ''): string | undefined {
  for (const attribute of element.attributes) {
    if (attribute.name === name && attribute.ns === ns) return attribute.value;
  }
  return undefined;
}

/** Child elements, optionally filtered by namespace and local name. */
export function childElements(element: XmlElement, ns?: string, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (ns !== undefined && child.ns !== ns) continue;
    if (name !== undefined && child.name !== name) continue;
    out.push(child);
  }
  return out;
}

/** Concatenated text of the element and its descendants. */
export function textContent(node: XmlNode): string {
  if (!isElement(node)) return node.text;
  let out = '';
  for (const child of node.children) out += textContent(child);
  return out;
}
