import { getAttribute, isElement, textContent } from '../xml-node.js';
import type { XmlAttribute, XmlElement, XmlNode } from '../xml-node.js';
import { PatchError } from './patch-error.js';
import { parseSelector } from './patch-selector.js';
import type { NameTest, Predicate, Selector, Step } from './patch-selector.js';

/** One RFC 5261 operation as read from a patch document, with the namespace declarations in scope at it. */
export type PatchOperation =
  | {
      readonly kind: 'add';
      readonly sel: string;
      /** Absent: append as the last children (RFC 5261 §4.3). */
      readonly pos?: 'before' | 'after' | 'prepend';
      /** `@name` adds an attribute (RFC 5261 §4.3.2). */
      readonly type?: string;
      readonly content: readonly XmlNode[];
      readonly namespaces: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'replace'; readonly sel: string; readonly content: readonly XmlNode[]; readonly namespaces: ReadonlyMap<string, string> }
  | { readonly kind: 'remove'; readonly sel: string; readonly ws?: 'before' | 'after' | 'both'; readonly namespaces: ReadonlyMap<string, string> };

/**
 * Applies RFC 5261 operations in order to a document (its root element),
 * returning the new root; the input is never changed, so a failure leaves
 * whatever the caller holds intact. Every selector must locate exactly one
 * node in the document as the previous operations left it (§4.1).
 * @throws PatchError naming the RFC 5261 §5.1 condition.
 */
export function applyPatch(root: XmlElement, operations: readonly PatchOperation[]): XmlElement {
  let document = root;
  for (const operation of operations) document = applyOne(document, operation);
  return document;
}

function applyOne(root: XmlElement, operation: PatchOperation): XmlElement {
  const selector = parseSelector(operation.sel, (prefix) => operation.namespaces.get(prefix));
  const path = locate(root, selector, operation.sel);
  const target = elementAt(root, path);
  const { terminal } = selector;
  switch (operation.kind) {
    case 'add': {
      if (terminal.kind !== 'element') throw new PatchError('invalid-patch-directive', `add needs an element, sel "${operation.sel}" selects an ${terminal.kind}`);
      if (operation.type !== undefined) return replaceAt(root, path, [addAttribute(target, operation)]);
      if (operation.content.length === 0) throw new PatchError('invalid-diff-format', `add to "${operation.sel}" has no content`);
      if (operation.pos === undefined) return replaceAt(root, path, [{ ...target, children: [...target.children, ...operation.content] }]);
      if (operation.pos === 'prepend') return replaceAt(root, path, [{ ...target, children: [...operation.content, ...target.children] }]);
      if (path.length === 0) throw new PatchError('invalid-root-element-operation', 'nothing may be added beside the root element');
      return replaceAt(root, path, operation.pos === 'before' ? [...operation.content, target] : [target, ...operation.content]);
    }
    case 'replace':
      if (terminal.kind === 'element') return replaceAt(root, path, [onlyElement(operation.content, operation.sel)]);
      if (terminal.kind === 'attribute') {
        requireAttribute(target, terminal, operation.sel);
        const value = onlyText(operation.content, operation.sel);
        return replaceAt(root, path, [withAttributes(target, target.attributes.map((a) => (a.ns === terminal.ns && a.name === terminal.name ? { ...a, value } : a)))]);
      }
      return replaceAt(root, path, [withChildren(target, textIndex(target, terminal.position, operation.sel), [{ text: onlyText(operation.content, operation.sel) }])]);
    case 'remove':
      if (terminal.kind === 'element') {
        if (path.length === 0) throw new PatchError('invalid-root-element-operation', 'the root element cannot be removed');
        return removeElement(root, path, operation.ws);
      }
      if (terminal.kind === 'attribute') {
        requireAttribute(target, terminal, operation.sel);
        return replaceAt(root, path, [withAttributes(target, target.attributes.filter((a) => a.ns !== terminal.ns || a.name !== terminal.name))]);
      }
      return replaceAt(root, path, [withChildren(target, textIndex(target, terminal.position, operation.sel), [])]);
  }
}

/** Child indices from the root to the one element the selector's steps locate. */
function locate(root: XmlElement, selector: Selector, sel: string): number[] {
  const [first, ...rest] = selector.steps as [Step, ...Step[]];
  // The first step runs on the document node, whose only element child is the root.
  let found: { element: XmlElement; path: number[] }[] = filter([{ element: root, path: [] }], first);
  for (const step of rest) {
    const next: { element: XmlElement; path: number[] }[] = [];
    for (const { element, path } of found) {
      const children: { element: XmlElement; path: number[] }[] = [];
      element.children.forEach((child, index) => {
        if (isElement(child)) children.push({ element: child, path: [...path, index] });
      });
      next.push(...filter(children, step));
    }
    found = next;
  }
  if (found.length !== 1) throw new PatchError('unlocated-node', found.length === 0 ? `nothing matches sel "${sel}"` : `sel "${sel}" matches ${found.length} elements`);
  return found[0]!.path;
}

function filter<T extends { element: XmlElement }>(candidates: T[], step: Step): T[] {
  let kept = candidates.filter((c) => matches(step.test, c.element));
  for (const predicate of step.predicates) kept = kept.filter((c, index) => holds(predicate, c.element, index + 1));
  return kept;
}

function matches(test: NameTest, element: XmlElement): boolean {
  return test === '*' || (element.ns === test.ns && element.name === test.name);
}

function holds(predicate: Predicate, element: XmlElement, position: number): boolean {
  switch (predicate.kind) {
    case 'position':
      return position === predicate.position;
    case 'attribute':
      return getAttribute(element, predicate.name, predicate.ns) === predicate.value;
    case 'value':
      return textContent(element) === predicate.value;
    case 'child':
      return element.children.some((child) => isElement(child) && matches(predicate.test, child) && textContent(child) === predicate.value);
  }
}

function elementAt(root: XmlElement, path: readonly number[]): XmlElement {
  let element = root;
  for (const index of path) element = element.children[index] as XmlElement;
  return element;
}

/** The document with the node at `path` replaced by `nodes` (the root by exactly one element). */
function replaceAt(root: XmlElement, path: readonly number[], nodes: readonly XmlNode[]): XmlElement {
  if (path.length === 0) return nodes[0] as XmlElement;
  const [index, ...rest] = path as [number, ...number[]];
  if (rest.length === 0) return withChildren(root, index, nodes);
  return withChildren(root, index, [replaceAt(root.children[index] as XmlElement, rest, nodes)]);
}

function withChildren(element: XmlElement, index: number, nodes: readonly XmlNode[]): XmlElement {
  return { ...element, children: [...element.children.slice(0, index), ...nodes, ...element.children.slice(index + 1)] };
}

function withAttributes(element: XmlElement, attributes: readonly XmlAttribute[]): XmlElement {
  return { ...element, attributes };
}

/** RFC 5261 §4.5: `ws` also removes the whitespace text node before and/or after the element. */
function removeElement(root: XmlElement, path: readonly number[], ws: 'before' | 'after' | 'both' | undefined): XmlElement {
  const parentPath = path.slice(0, -1);
  const parent = elementAt(root, parentPath);
  const index = path[path.length - 1]!;
  const blank = (node: XmlNode | undefined) => node !== undefined && !isElement(node) && node.text.trim() === '';
  const from = (ws === 'before' || ws === 'both') && blank(parent.children[index - 1]) ? index - 1 : index;
  const to = (ws === 'after' || ws === 'both') && blank(parent.children[index + 1]) ? index + 1 : index;
  const children = [...parent.children.slice(0, from), ...parent.children.slice(to + 1)];
  return replaceAt(root, parentPath, [{ ...parent, children }]);
}

function addAttribute(target: XmlElement, operation: Extract<PatchOperation, { kind: 'add' }>): XmlElement {
  const type = operation.type!;
  if (!type.startsWith('@')) throw new PatchError('invalid-node-types', `add type="${type}" is not supported (attributes only)`);
  const selector = parseSelector(`*/${type}`, (prefix) => operation.namespaces.get(prefix));
  const terminal = selector.terminal as { ns: string; name: string };
  if (getAttribute(target, terminal.name, terminal.ns) !== undefined) throw new PatchError('invalid-attribute-value', `attribute ${type.slice(1)} exists already`);
  return withAttributes(target, [...target.attributes, { ns: terminal.ns, name: terminal.name, value: onlyText(operation.content, operation.sel) }]);
}

function requireAttribute(target: XmlElement, attribute: { ns: string; name: string }, sel: string): void {
  if (getAttribute(target, attribute.name, attribute.ns) === undefined) throw new PatchError('unlocated-node', `no attribute matches sel "${sel}"`);
}

/** Index among the element's children of its text node (the n-th, or the only one). */
function textIndex(target: XmlElement, position: number | undefined, sel: string): number {
  const texts: number[] = [];
  target.children.forEach((child, index) => {
    if (!isElement(child)) texts.push(index);
  });
  const index = position === undefined ? (texts.length === 1 ? texts[0] : undefined) : texts[position - 1];
  if (index === undefined) throw new PatchError('unlocated-node', `no single text node matches sel "${sel}"`);
  return index;
}

function onlyElement(content: readonly XmlNode[], sel: string): XmlElement {
  const elements = content.filter(isElement);
  const textual = content.some((node) => !isElement(node) && node.text.trim() !== '');
  if (elements.length !== 1 || textual) throw new PatchError('invalid-patch-directive', `replacing the element at "${sel}" needs exactly one element`);
  return elements[0]!;
}

function onlyText(content: readonly XmlNode[], sel: string): string {
  if (content.some(isElement)) throw new PatchError('invalid-patch-directive', `"${sel}" takes text, not elements`);
  return content.map((node) => (node as { text: string }).text).join('');
}
