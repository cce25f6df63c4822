import type { NodeSelector } from './node-selector.js';
import { formatNodeSelector } from './node-selector.js';
import { attributeValue, nameMatches, selectElements, stepMatches, type ResolvedName, type ResolvedSelector } from './node-select.js';
import { conflict, XcapFailure } from './xcap-failure.js';
import { bindingsInScope, escapeAttributeValue, serializeElement, type XElement } from './xml-tree.js';

/** A node selected by a request URI, with what answers a GET of it. */
export type SelectedNode =
  | { readonly kind: 'element'; readonly path: readonly XElement[] }
  | { readonly kind: 'attribute'; readonly element: XElement; readonly name: ResolvedName; readonly value: string }
  | { readonly kind: 'namespaces'; readonly path: readonly XElement[] };

/** The one node the selector names; none, or more than one, is a 404 (RFC 4825 §8.1.1 / §6.3). */
export function selectNode(root: XElement, selector: ResolvedSelector): SelectedNode {
  const path = singleElement(root, selector);
  if (path === undefined) throw new XcapFailure(404, 'Not Found: the node selector selects no element, or more than one');
  const element = path[path.length - 1]!;
  const terminal = selector.terminal;
  if (terminal === undefined) return { kind: 'element', path };
  if (terminal.kind === 'namespaces') return { kind: 'namespaces', path };
  const value = attributeValue(element, terminal.name);
  if (value === undefined) throw new XcapFailure(404, `Not Found: the element has no attribute ${terminal.name.local}`);
  return { kind: 'attribute', element, name: terminal.name, value };
}

/** The response body of a GET of `node` (RFC 4825 §8.1: the element, the attribute value, or the namespace bindings). */
export function renderSelected(node: SelectedNode): string {
  if (node.kind === 'attribute') return escapeAttributeValue(node.value);
  const element = node.path[node.path.length - 1]!;
  if (node.kind === 'element') return serializeElement(element, bindingsInScope(node.path.slice(0, -1)));
  // RFC 4825 §7.10: an element of the selected element's name carrying every namespace binding in scope there, nothing else.
  const declarations = [...bindingsInScope(node.path)].filter(([prefix]) => prefix !== 'xml').map(([prefix, uri]) => ({ prefix, uri }));
  return serializeElement({ ...element, attributes: [], children: [], declarations });
}

/**
 * PUT of an element (RFC 4825 §8.2.3): replaces the one element the URI
 * selects, or inserts a new one under the parent the other steps select,
 * at the place the last step implies (after the (n-1)-th like-named
 * sibling for `[n]`, else after every child). `fragment` parses the body
 * with the namespace bindings in scope at the parent. Returns the new
 * root and whether an element was created.
 */
export function putElement(
  root: XElement,
  selector: ResolvedSelector,
  written: NodeSelector,
  fragment: (scope: ReadonlyMap<string, string>) => XElement,
): { root: XElement; created: boolean } {
  const document = documentNode(root);
  const steps = selector.steps;
  const parentPath = parentOf(document, selector, written);
  const parent = parentPath[parentPath.length - 1] ?? document;
  const last = steps[steps.length - 1]!;
  const siblings = elementChildren(parent);
  const existing = stepMatches(siblings, last);
  if (existing.length > 1) throw conflict('cannot-insert', 'the node selector selects more than one element');
  const element = fragment(bindingsInScope(parentPath));
  let created = false;
  if (existing.length === 1) {
    parent.children[parent.children.indexOf(existing[0]!)] = element;
  } else {
    if (parent === document) throw conflict('cannot-insert', 'a document has one root element; replace it or PUT the whole document');
    parent.children.splice(insertionIndex(parent, last, element), 0, element);
    created = true;
  }
  const newRoot = elementChildren(document)[0]!;
  // RFC 4825 §8.2.5: the URI must now select what was put, else the PUT is not idempotent.
  const selected = selectElements(newRoot, steps);
  if (selected.length !== 1 || selected[0]![selected[0]!.length - 1] !== element) {
    throw conflict('cannot-insert', 'the element in the body would not be the one the request URI selects');
  }
  return { root: newRoot, created };
}

function insertionIndex(parent: XElement, last: ResolvedSelector['steps'][number], element: XElement): number {
  if (!nameMatches(element, last.name)) throw conflict('cannot-insert', 'the element in the body does not have the name the last step asks for');
  if (last.attribute !== undefined && attributeValue(element, last.attribute.name) !== last.attribute.value) {
    throw conflict('cannot-insert', `the element in the body does not carry ${last.attribute.name.local}="${last.attribute.value}" the last step asks for`);
  }
  if (last.position === undefined) return parent.children.length;
  const named = elementChildren(parent).filter((sibling) => nameMatches(sibling, last.name));
  if (last.position - 1 > named.length) throw conflict('cannot-insert', `position ${last.position} is past the ${named.length} existing sibling(s) plus one`);
  const before = named[last.position - 1];
  if (before !== undefined) return parent.children.indexOf(before);
  const after = named[last.position - 2];
  return after === undefined ? parent.children.length : parent.children.indexOf(after) + 1;
}

/** PUT of an attribute (RFC 4825 §8.2.4): sets it on the one element selected. Returns whether it was created. */
export function putAttribute(root: XElement, selector: ResolvedSelector, written: NodeSelector, value: string): boolean {
  const terminal = selector.terminal;
  if (terminal?.kind !== 'attribute') throw new Error('putAttribute needs an attribute selector');
  const path = singleElement(root, selector);
  if (path === undefined) throw noParent(documentNode(root), selector, written, selector.steps.length);
  const element = path[path.length - 1]!;
  const existing = element.attributes.find((attribute) => attribute.ns === terminal.name.ns && attribute.local === terminal.name.local);
  if (existing !== undefined) {
    existing.value = value;
    return false;
  }
  const prefix = terminal.name.ns === '' ? '' : prefixFor(bindingsInScope(path), terminal.name.ns);
  element.attributes.push({ prefix, local: terminal.name.local, ns: terminal.name.ns, value });
  // RFC 4825 §8.2.5: the URI must select the new attribute (an attribute in a step's predicate may have moved it).
  const check = singleElement(root, selector);
  if (check === undefined || check[check.length - 1] !== element) throw conflict('cannot-insert', 'after setting the attribute the URI no longer selects its element');
  return true;
}

/** DELETE of an element or attribute (RFC 4825 §8.3): afterwards the URI must select nothing (§8.3.5), else cannot-delete. */
export function deleteNode(root: XElement, selector: ResolvedSelector): void {
  const node = selectNode(root, selector);
  if (node.kind === 'namespaces') throw new XcapFailure(405, 'Method Not Allowed: namespace bindings are read only', undefined, { Allow: 'GET' });
  if (node.kind === 'attribute') {
    node.element.attributes.splice(node.element.attributes.findIndex((a) => a.ns === node.name.ns && a.local === node.name.local), 1);
    return;
  }
  if (node.path.length === 1) throw conflict('cannot-delete', 'the root element goes only with its document: DELETE the document');
  const parent = node.path[node.path.length - 2]!;
  parent.children.splice(parent.children.indexOf(node.path[node.path.length - 1]!), 1);
  if (selectElements(root, selector.steps).length > 0) throw conflict('cannot-delete', 'the request URI would select another element after the delete');
}

function singleElement(root: XElement, selector: ResolvedSelector): XElement[] | undefined {
  const paths = selectElements(root, selector.steps);
  return paths.length === 1 ? paths[0] : undefined;
}

/** The path to the parent of the last step, which must exist once (RFC 4825 §8.2.3: else 409 <no-parent>). */
function parentOf(document: XElement, selector: ResolvedSelector, written: NodeSelector): XElement[] {
  const steps = selector.steps;
  if (steps.length === 1) return [];
  const parents = selectElements(elementChildren(document)[0]!, steps.slice(0, -1));
  if (parents.length === 1) return parents[0]!;
  throw noParent(document, selector, written, steps.length - 1);
}

/** <no-parent> with the closest ancestor that exists (RFC 4825 §11.2), as a node-selector path relative to the document. */
function noParent(document: XElement, selector: ResolvedSelector, written: NodeSelector, depth: number): XcapFailure {
  const root = elementChildren(document)[0]!;
  let found = 0;
  for (let k = depth - 1; k >= 1; k -= 1) {
    if (selectElements(root, selector.steps.slice(0, k)).length === 1) {
      found = k;
      break;
    }
  }
  const ancestor = found === 0 ? '' : `/~~/${formatNodeSelector({ steps: written.steps.slice(0, found) })}`;
  return conflict('no-parent', 'the parent of the selected node does not exist', { ancestor });
}

function prefixFor(scope: ReadonlyMap<string, string>, ns: string): string {
  for (const [prefix, uri] of scope) if (uri === ns && prefix !== '') return prefix;
  throw conflict('cannot-insert', `no prefix is declared for the attribute's namespace ${ns} in the document`);
}

function documentNode(root: XElement): XElement {
  return { kind: 'element', prefix: '', local: '#document', ns: '', attributes: [], declarations: [], children: [root] };
}

function elementChildren(element: XElement): XElement[] {
  return element.children.filter((child): child is XElement => child.kind === 'element');
}
