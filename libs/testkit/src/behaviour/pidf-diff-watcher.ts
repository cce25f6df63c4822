import { DOMImplementation, DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import * as xpath from 'xpath';

const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
const PIDF_DIFF_NS = 'urn:ietf:params:xml:ns:pidf-diff';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const ELEMENT = 1;
const TEXT = 3;

/**
 * A watcher's side of RFC 5263, written for the tests on a maintained DOM
 * (@xmldom/xmldom) and XPath 1.0 engine (xpath), not on the server's code:
 * `<pidf-full>` starts the presence document over, each `<pidf-diff>` must
 * carry the next version and is applied with RFC 5261 semantics (every
 * selector locates exactly one node; unprefixed names in a selector are in
 * the diff document's default namespace, RFC 5261 §4.2.1, which XPath 1.0
 * does not do by itself, so they are given a prefix first).
 */
export class PidfDiffWatcher {
  private document: Document | undefined;
  private version = -1;

  /** Applies one NOTIFY body; returns which kind it was. */
  receive(body: string): 'full' | 'diff' {
    const root = parse(body).documentElement!;
    if (root.namespaceURI !== PIDF_DIFF_NS) throw new Error(`not a pidf-diff document: {${root.namespaceURI}}${root.localName}`);
    const version = Number(root.getAttribute('version'));
    if (root.localName === 'pidf-full') {
      this.document = presenceFrom(root);
      this.version = version;
      return 'full';
    }
    if (this.document === undefined) throw new Error('pidf-diff before any pidf-full');
    if (version !== this.version + 1) throw new Error(`version ${version} after ${this.version}: a NOTIFY is missing`);
    this.version = version;
    for (const op of elementChildren(root)) if (op.namespaceURI === PIDF_DIFF_NS) applyOperation(this.document, op);
    return 'diff';
  }

  get currentVersion(): number {
    return this.version;
  }

  /** The document as rebuilt, in the canonical form `canonicalPidf` gives a full PIDF body. */
  canonical(): string {
    if (this.document === undefined) throw new Error('nothing received');
    return canonical(this.document.documentElement!);
  }
}

/** A full application/pidf+xml body in a form that ignores prefixes, declarations, attribute order and indentation. */
export function canonicalPidf(body: string): string {
  return canonical(parse(body).documentElement!);
}

function parse(xml: string): Document {
  return new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(`XML ${level}: ${message}`); } }).parseFromString(xml, 'application/xml');
}

/** The pidf-full's content as a <presence> document (RFC 5262: it is the presence document under another root). */
function presenceFrom(full: Element): Document {
  const document = new DOMImplementation().createDocument(PIDF_NS, 'presence', null);
  const presence = document.documentElement!;
  presence.setAttribute('entity', full.getAttribute('entity') ?? '');
  for (const child of Array.from(full.childNodes)) presence.appendChild(document.importNode(child, true));
  return document;
}

function applyOperation(document: Document, op: Element): void {
  const sel = op.getAttribute('sel') ?? '';
  const selected = xpath.useNamespaces(scopeOf(op))(prefixDefault(sel), document as unknown as globalThis.Node) as unknown as Node[];
  if (!Array.isArray(selected) || selected.length !== 1) throw new Error(`sel ${sel} selects ${Array.isArray(selected) ? selected.length : 'no'} nodes`);
  const target = selected[0]!;
  const content = Array.from(op.childNodes).map((n) => document.importNode(n, true));
  switch (op.localName) {
    case 'add': {
      const element = target as Element;
      const type = op.getAttribute('type');
      if (type) return element.setAttribute(type.slice(1), op.textContent ?? '');
      const pos = op.getAttribute('pos');
      for (const node of content) {
        if (pos === 'before') element.parentNode!.insertBefore(node, element);
        else if (pos === 'after') element.parentNode!.insertBefore(node, lastAdded(element, content, node));
        else if (pos === 'prepend') element.insertBefore(node, element.firstChild);
        else element.appendChild(node);
      }
      return;
    }
    case 'replace':
      if (target.nodeType === ELEMENT) return void target.parentNode!.replaceChild(content.find((n) => n.nodeType === ELEMENT)!, target);
      // Attribute value or text node: xmldom serializes `value` and `data`, so set them with nodeValue.
      Object.assign(target, { nodeValue: op.textContent ?? '', ...(target.nodeType === TEXT ? { data: op.textContent ?? '' } : { value: op.textContent ?? '' }) });
      return;
    case 'remove':
      if (target.nodeType === 2) return void (target as unknown as { ownerElement: Element }).ownerElement.removeAttributeNode(target as never);
      return void target.parentNode!.removeChild(target);
    default:
      throw new Error(`unknown operation ${op.localName}`);
  }
}

/** Where the next node of an `after` add goes: after the target and the nodes added before it, in order. */
function lastAdded(target: Element, content: Node[], node: Node): Node | null {
  const previous = content[content.indexOf(node) - 1];
  return (previous ?? target).nextSibling;
}

/** Prefix → namespace declared on the operation and its ancestors; '' is the default namespace. */
function scopeOf(op: Element): Record<string, string> {
  const scope: Record<string, string> = {};
  for (let node: Node | null = op; node !== null && node.nodeType === ELEMENT; node = node.parentNode) {
    for (const attribute of Array.from((node as Element).attributes)) {
      if (attribute.namespaceURI !== XMLNS_NS) continue;
      const prefix = attribute.prefix === 'xmlns' ? attribute.localName! : '';
      if (!(prefix in scope)) scope[prefix] = attribute.value;
    }
  }
  scope.dflt = scope[''] ?? '';
  delete scope[''];
  return scope;
}

/** Unprefixed element name steps get the `dflt` prefix (RFC 5261 §4.2.1); attributes, `*` and node tests stay. */
function prefixDefault(sel: string): string {
  return sel.replace(/(^|\/)([A-Za-z_][\w.-]*)(?=\[|\/|$)/g, '$1dflt:$2');
}

function elementChildren(element: Element): Element[] {
  return Array.from(element.childNodes).filter((n): n is Element => n.nodeType === ELEMENT);
}

function canonical(element: Element): string {
  const attributes = Array.from(element.attributes)
    .filter((a) => a.namespaceURI !== XMLNS_NS && a.name !== 'xmlns')
    .map((a) => `{${a.namespaceURI ?? ''}}${a.localName}=${JSON.stringify(a.value)}`)
    .sort();
  const children = Array.from(element.childNodes)
    .map((n) => (n.nodeType === ELEMENT ? canonical(n as Element) : n.nodeType === TEXT && (n.nodeValue ?? '').trim() !== '' ? JSON.stringify(n.nodeValue) : ''))
    .join('');
  return `<{${element.namespaceURI ?? ''}}${element.localName} ${attributes.join(' ')}>${children}</>`;
}
