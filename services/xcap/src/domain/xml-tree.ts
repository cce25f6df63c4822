import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * A mutable XML tree that keeps what XCAP must give back as it was put
 * (RFC 4825 §8.2.5): prefixes, namespace declarations, attribute order,
 * text, comments and processing instructions. Only the server's own copy
 * of one document, parsed per request, is ever mutated.
 */
export interface XElement {
  readonly kind: 'element';
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly attributes: XAttribute[];
  /** Declarations written on this element, in order ('' is the default namespace). */
  readonly declarations: Array<{ readonly prefix: string; readonly uri: string }>;
  readonly children: XNode[];
}

export interface XAttribute {
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  value: string;
}

export interface XText {
  readonly kind: 'text';
  readonly text: string;
}

/** A comment or processing instruction, kept verbatim. */
export interface XMarkup {
  readonly kind: 'markup';
  readonly raw: string;
}

export type XNode = XElement | XText | XMarkup;

const XMLNS_URI = 'http://www.w3.org/2000/xmlns/';
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/**
 * Parses one element (a whole document's root, or a PUT fragment when
 * `context` gives the prefixes in scope where it goes). Throws an Error
 * saying what is wrong; callers decide which 409 that is. Hostile input
 * is stopped earlier, by parseXmlTree's limits, before this runs.
 */
export function parseElement(xml: string, context?: ReadonlyMap<string, string>): XElement {
  const parser = new SaxesParser({
    xmlns: true,
    position: false,
    ...(context === undefined ? {} : { fragment: true, additionalNamespaces: Object.fromEntries([...context].filter(([prefix]) => prefix !== '' && prefix !== 'xml')) }),
  });
  const defaultNs = context?.get('');
  const stack: XElement[] = [];
  const roots: XElement[] = [];
  let strayText = false;
  parser.on('doctype', () => {
    throw new Error('DOCTYPE not allowed');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const element = fromTag(tag, stack.length === 0 ? defaultNs : undefined);
    const parent = stack[stack.length - 1];
    if (parent === undefined) roots.push(element);
    else parent.children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (text: string): void => {
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (!/^[ \t\r\n]*$/.test(text)) strayText = true;
      return;
    }
    const last = parent.children[parent.children.length - 1];
    if (last?.kind === 'text') parent.children[parent.children.length - 1] = { kind: 'text', text: last.text + text };
    else parent.children.push({ kind: 'text', text });
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('comment', (comment: string) => stack[stack.length - 1]?.children.push({ kind: 'markup', raw: `<!--${comment}-->` }));
  parser.on('processinginstruction', ({ target, body }: { target: string; body: string }) =>
    stack[stack.length - 1]?.children.push({ kind: 'markup', raw: `<?${target}${body === '' ? '' : ` ${body}`}?>` }),
  );
  parser.write(xml);
  parser.close();
  if (roots.length !== 1 || strayText) throw new Error(roots.length === 0 ? 'no element' : 'more than one element, or text beside it');
  return roots[0]!;
}

function fromTag(tag: SaxesTagNS, inheritedDefault: string | undefined): XElement {
  const attributes: XAttribute[] = [];
  const declarations: Array<{ prefix: string; uri: string }> = [];
  for (const key in tag.attributes) {
    const attribute = tag.attributes[key]!;
    if (attribute.uri === XMLNS_URI || attribute.name === 'xmlns') declarations.push({ prefix: attribute.prefix === '' ? '' : attribute.local, uri: attribute.value });
    else attributes.push({ prefix: attribute.prefix, local: attribute.local, ns: attribute.uri, value: attribute.value });
  }
  // A fragment's unprefixed root takes the default namespace of the place it goes (saxes knows only prefixed context).
  const ns = tag.prefix === '' && tag.uri === '' && inheritedDefault !== undefined && !declarations.some((d) => d.prefix === '') ? inheritedDefault : tag.uri;
  return { kind: 'element', prefix: tag.prefix, local: tag.local, ns, attributes, declarations, children: [] };
}

/** The whole document: declaration, root, newline. */
export function serializeDocument(root: XElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serializeElement(root)}\n`;
}

/**
 * One element as it stands in the document, with declarations added for
 * the prefixes it uses that an ancestor declared (`inScope`), so what a
 * client GETs is namespace-well-formed on its own.
 */
export function serializeElement(element: XElement, inScope?: ReadonlyMap<string, string>): string {
  const extra: string[] = [];
  if (inScope !== undefined) {
    const declared = new Set(element.declarations.map((d) => d.prefix));
    for (const prefix of usedPrefixes(element)) {
      if (declared.has(prefix) || prefix === 'xml') continue;
      const uri = inScope.get(prefix);
      if (uri !== undefined) extra.push(declarationText(prefix, uri));
    }
  }
  return write(element, extra);
}

function write(element: XElement, extra: readonly string[]): string {
  const name = qualified(element.prefix, element.local);
  const parts = [name, ...element.declarations.map((d) => declarationText(d.prefix, d.uri)), ...extra];
  for (const attribute of element.attributes) parts.push(`${qualified(attribute.prefix, attribute.local)}="${escapeAttributeValue(attribute.value)}"`);
  if (element.children.length === 0) return `<${parts.join(' ')}/>`;
  let body = '';
  for (const child of element.children) {
    if (child.kind === 'element') body += write(child, []);
    else if (child.kind === 'text') body += escapeText(child.text);
    else body += child.raw;
  }
  return `<${parts.join(' ')}>${body}</${name}>`;
}

/** Prefixes of the namespace declarations in scope at `path`'s last element (path from the root). */
export function bindingsInScope(path: readonly XElement[]): Map<string, string> {
  const scope = new Map<string, string>([['xml', XML_NAMESPACE]]);
  for (const element of path) for (const declaration of element.declarations) scope.set(declaration.prefix, declaration.uri);
  return scope;
}

function usedPrefixes(element: XElement, into = new Set<string>()): Set<string> {
  into.add(element.prefix);
  for (const attribute of element.attributes) if (attribute.prefix !== '') into.add(attribute.prefix);
  for (const child of element.children) if (child.kind === 'element') usedPrefixes(child, into);
  return into;
}

function qualified(prefix: string, local: string): string {
  return prefix === '' ? local : `${prefix}:${local}`;
}

function declarationText(prefix: string, uri: string): string {
  return `${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escapeAttributeValue(uri)}"`;
}

export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Attribute values keep tabs and line ends as character references, so a re-parse gives the same value. */
export function escapeAttributeValue(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[c] ?? c);
}
