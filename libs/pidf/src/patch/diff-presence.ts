import { PIDF_NS } from '../namespaces.js';
import { getAttribute, isElement } from '../xml-node.js';
import type { XmlElement, XmlNode } from '../xml-node.js';

/** A child of <presence> as a selector names it: by id when that is unique, else by position among its same-named siblings. */
export interface ChildRef {
  readonly ns: string;
  readonly name: string;
  readonly id?: string;
  readonly position?: number;
}

/** A step below a child of <presence>: the n-th child element of that name. */
export interface PathStep {
  readonly ns: string;
  readonly name: string;
  readonly position: number;
}

/**
 * One change to <presence>'s children (tuples, notes, persons, devices,
 * extensions): added, removed, or replaced, the replace reaching down
 * (`path`) to the element or text that changed where the structure above
 * it is the same. RFC 5262 allows diffs this coarse.
 */
export type PresenceChange =
  | { readonly kind: 'add'; readonly at: ChildRef | 'root'; readonly pos: 'before' | 'after' | undefined; readonly element: XmlElement }
  | { readonly kind: 'replace'; readonly at: ChildRef; readonly path: readonly PathStep[]; readonly element: XmlElement }
  | { readonly kind: 'replace-text'; readonly at: ChildRef; readonly path: readonly PathStep[]; readonly text: string }
  | { readonly kind: 'remove'; readonly at: ChildRef };

/** Past this many old × new children the alignment is not worth its table: send the full document. */
const MAX_ALIGNMENT_CELLS = 250_000;

/**
 * The changes that turn one presence document into another, applied in
 * order: removals, then each child of the new document in order, replaced
 * when its counterpart differs or added after the child before it. Children
 * are paired by kind and id (tuples, persons, devices) or, without a unique
 * id, by being equal, along the longest common subsequence, so the order of
 * the result is the new document's order exactly.
 *
 * Undefined when no patch can say it (another entity or root, text directly
 * under the root, a child in no namespace, which an unprefixed selector
 * cannot name while PIDF is the default namespace): send the full document.
 */
export function diffPresence(from: XmlElement, to: XmlElement): PresenceChange[] | undefined {
  if (from.ns !== to.ns || from.name !== to.name || getAttribute(from, 'entity') !== getAttribute(to, 'entity')) return undefined;
  if (!sameAttributes(from, to)) return undefined;
  const before = onlyElements(from.children);
  const after = onlyElements(to.children);
  if (before === undefined || after === undefined || [...before, ...after].some((e) => e.ns === '')) return undefined;
  if (before.length * after.length > MAX_ALIGNMENT_CELLS) return undefined;
  const unique = uniqueKeys(before, after);
  const keyOf = (element: XmlElement) => {
    const key = identity(element);
    return key !== undefined && unique.has(key) ? key : undefined;
  };
  const pairs = align(before, after, (a, b) => {
    const key = keyOf(a);
    return key !== undefined ? key === keyOf(b) : keyOf(b) === undefined && sameElement(a, b);
  });

  const changes: PresenceChange[] = [];
  const current = [...before];
  const kept = new Set(pairs.map(([i]) => before[i]!));
  for (const element of before) {
    if (kept.has(element)) continue;
    changes.push({ kind: 'remove', at: refTo(current, current.indexOf(element), keyOf) });
    current.splice(current.indexOf(element), 1);
  }
  const pairedWith = new Map(pairs.map(([i, j]) => [after[j]!, before[i]!]));
  after.forEach((element, index) => {
    const counterpart = pairedWith.get(element);
    if (counterpart !== undefined) {
      if (!sameElement(counterpart, element)) changes.push(...replacements(refTo(current, index, keyOf), [], counterpart, element));
      current[index] = element;
      return;
    }
    if (index > 0) changes.push({ kind: 'add', at: refTo(current, index - 1, keyOf), pos: 'after', element });
    else if (current.length > 0) changes.push({ kind: 'add', at: refTo(current, 0, keyOf), pos: 'before', element });
    else changes.push({ kind: 'add', at: 'root', pos: undefined, element });
    current.splice(index, 0, element);
  });
  return changes;
}

/**
 * Replaces turning `from` into `to` (same place): down into the children
 * while the element's name, attributes and child element names match (the
 * changed ones then replaced one by one), its text when it holds only text,
 * the whole element otherwise.
 */
function replacements(at: ChildRef, path: readonly PathStep[], from: XmlElement, to: XmlElement): PresenceChange[] {
  const whole: PresenceChange[] = [{ kind: 'replace', at, path, element: to }];
  if (from.ns !== to.ns || from.name !== to.name || !sameAttributes(from, to)) return whole;
  const [fromText, toText] = [onlyText(from), onlyText(to)];
  if (fromText !== undefined && toText !== undefined && fromText !== '' && toText !== '') return [{ kind: 'replace-text', at, path, text: toText }];
  const [fromChildren, toChildren] = [onlyElements(from.children), onlyElements(to.children)];
  if (fromChildren === undefined || toChildren === undefined || fromChildren.length !== toChildren.length || fromChildren.length === 0) return whole;
  if (fromChildren.some((child, i) => child.ns === '' || child.ns !== toChildren[i]!.ns || child.name !== toChildren[i]!.name)) return whole;
  const changes: PresenceChange[] = [];
  toChildren.forEach((child, i) => {
    if (sameElement(fromChildren[i]!, child)) return;
    let position = 0;
    for (let j = 0; j <= i; j++) if (toChildren[j]!.ns === child.ns && toChildren[j]!.name === child.name) position++;
    changes.push(...replacements(at, [...path, { ns: child.ns, name: child.name, position }], fromChildren[i]!, child));
  });
  return changes;
}

/** The element's text when its one child is a text node; '' when it has none; undefined when it has elements. */
function onlyText(element: XmlElement): string | undefined {
  if (element.children.length === 0) return '';
  const first = element.children[0]!;
  return element.children.length === 1 && !isElement(first) ? first.text : undefined;
}

function onlyElements(nodes: readonly XmlNode[]): XmlElement[] | undefined {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    if (!isElement(node)) return undefined;
    out.push(node);
  }
  return out;
}

function identity(element: XmlElement): string | undefined {
  const id = getAttribute(element, 'id');
  return id === undefined ? undefined : `${element.ns}\u0000${element.name}\u0000${id}`;
}

/** Keys that name one child in each document where they appear: only those can select by id. */
function uniqueKeys(before: readonly XmlElement[], after: readonly XmlElement[]): Set<string> {
  const unique = new Set<string>();
  const duplicated = new Set<string>();
  for (const list of [before, after]) {
    const seen = new Set<string>();
    for (const element of list) {
      const key = identity(element);
      if (key === undefined) continue;
      if (seen.has(key)) duplicated.add(key);
      seen.add(key);
      unique.add(key);
    }
  }
  for (const key of duplicated) unique.delete(key);
  return unique;
}

/** How a selector finds current[index] among the children as they are at that point of the patch. */
function refTo(current: readonly XmlElement[], index: number, keyOf: (e: XmlElement) => string | undefined): ChildRef {
  const element = current[index]!;
  const id = getAttribute(element, 'id');
  // An id quoted both ways cannot be written as a literal: name it by position then.
  if (keyOf(element) !== undefined && id !== undefined && !(id.includes("'") && id.includes('"'))) return { ns: element.ns, name: element.name, id };
  let position = 0;
  for (let i = 0; i <= index; i++) if (current[i]!.ns === element.ns && current[i]!.name === element.name) position++;
  return { ns: element.ns, name: element.name, position };
}

/** Longest common subsequence of the two lists under `same`, as index pairs in order. */
function align(a: readonly XmlElement[], b: readonly XmlElement[], same: (x: XmlElement, y: XmlElement) => boolean): [number, number][] {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = same(a[i]!, b[j]!) ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (same(a[i]!, b[j]!) && table[i * width + j] === table[(i + 1) * width + j + 1]! + 1) {
      pairs.push([i++, j++]);
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

function sameAttributes(a: XmlElement, b: XmlElement): boolean {
  return a.attributes.length === b.attributes.length && a.attributes.every((x, i) => x.ns === b.attributes[i]!.ns && x.name === b.attributes[i]!.name && x.value === b.attributes[i]!.value);
}

/** Deep equality of two elements as the renderer would write them. */
export function sameElement(a: XmlElement, b: XmlElement): boolean {
  if (a === b) return true;
  if (a.ns !== b.ns || a.name !== b.name || !sameAttributes(a, b) || a.children.length !== b.children.length) return false;
  return a.children.every((x, i) => {
    const y = b.children[i]!;
    if (isElement(x)) return isElement(y) && sameElement(x, y);
    return !isElement(y) && x.text === y.text;
  });
}

/** The default namespace of pidf-diff documents, so PIDF names stay unprefixed in selectors (RFC 5261 §4.2.1). */
export const SELECTOR_DEFAULT_NS = PIDF_NS;
