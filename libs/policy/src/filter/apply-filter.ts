import { aorDomain, normalizeAor } from '@presence/core';
import { PIDF_NS, getAttribute, isElement, renderPresence, textContent, type XmlAttribute, type XmlElement, type XmlNode } from '@presence/pidf';
import type { FilterDefinition, FilterSet, Selector, TriggerCondition } from './filter-set.js';
import { selectNodes, type CompiledPath } from './xpath-subset.js';

/**
 * The filters of `set` that apply to `presentity` (RFC 4661): enabled,
 * and with no uri or domain, or the presentity's own. A filter for another
 * resource (meant for a list server) does not apply to a single presentity.
 */
export function activeFilters(set: FilterSet, presentity: string): FilterDefinition[] {
  return set.filters.filter((f) => f.enabled && appliesTo(f, presentity));
}

function appliesTo(filter: FilterDefinition, presentity: string): boolean {
  if (filter.uri !== undefined) return safeNormalize(filter.uri) === presentity;
  if (filter.domain !== undefined) return aorDomain(presentity) === filter.domain.trim().toLowerCase();
  return true;
}

function safeNormalize(uri: string): string | undefined {
  try {
    return normalizeAor(uri);
  } catch {
    return undefined;
  }
}

/** What one filter selected in one document: elements and attributes included, and excluded. */
interface Selection {
  readonly whole: boolean;
  readonly include: Set<XmlElement>;
  readonly includeAttributes: Set<XmlAttribute>;
  readonly includeNs: Set<string>;
  readonly exclude: Set<XmlElement>;
  readonly excludeAttributes: Set<XmlAttribute>;
  readonly excludeNs: Set<string>;
}

const EMPTY_STATUS: XmlElement = Object.freeze({ ns: PIDF_NS, name: 'status', attributes: [], children: [] });

/** Per filter, while walking the tree: inside an included subtree, an excluded one, or neither yet. */
type Standing = 'in' | 'out' | 'maybe';

/**
 * The document a watcher with these filters receives (RFC 4661): the
 * union over the active filters of what each <what> selects — an included
 * element with its whole subtree, an included attribute with its element —
 * less what the same filter excludes, inside the ancestors that lead to it
 * (kept with their attributes, so tuples keep their ids and the result stays
 * a PIDF document). A filter without <what> selects everything. Undefined
 * when no filter applies: the watcher gets the document as it is.
 */
export function filterDocument(filters: readonly FilterDefinition[], root: XmlElement, presentity: string): string | undefined {
  if (filters.length === 0) return undefined;
  const selections = filters.map((f) => select(f, root));
  const rootStanding = selections.map((s) => standingOf(s, root, s.whole ? 'in' : 'maybe'));
  const kept: XmlElement[] = [];
  for (const child of root.children) {
    if (!isElement(child)) continue;
    const pruned = prune(child, selections, rootStanding);
    if (pruned !== undefined) kept.push(pruned);
  }
  return renderPresence(getAttribute(root, 'entity') ?? presentity, [kept]);
}

function select(filter: FilterDefinition, root: XmlElement): Selection {
  const selection: Selection = {
    whole: filter.what === undefined || filter.what.include.length === 0,
    include: new Set(),
    includeAttributes: new Set(),
    includeNs: new Set(),
    exclude: new Set(),
    excludeAttributes: new Set(),
    excludeNs: new Set(),
  };
  for (const selector of filter.what?.include ?? []) collect(selector, root, selection.include, selection.includeAttributes, selection.includeNs);
  for (const selector of filter.what?.exclude ?? []) collect(selector, root, selection.exclude, selection.excludeAttributes, selection.excludeNs);
  return selection;
}

function collect(selector: Selector, root: XmlElement, elements: Set<XmlElement>, attributes: Set<XmlAttribute>, namespaces: Set<string>): void {
  if (selector.type === 'namespace') {
    namespaces.add(selector.uri);
    return;
  }
  for (const node of selectNodes(selector.path, root)) {
    if (node.attribute === undefined) elements.add(node.element);
    else attributes.add(node.attribute);
  }
}

function standingOf(selection: Selection, element: XmlElement, parent: Standing): Standing {
  if (parent === 'out' || selection.exclude.has(element) || selection.excludeNs.has(element.ns)) return 'out';
  if (parent === 'in' || selection.include.has(element) || selection.includeNs.has(element.ns)) return 'in';
  return 'maybe';
}

function prune(element: XmlElement, selections: readonly Selection[], parents: readonly Standing[]): XmlElement | undefined {
  const standing = selections.map((s, i) => standingOf(s, element, parents[i]!));
  const inside = standing.includes('in');
  if (!inside && !standing.includes('maybe')) return undefined;
  const children: XmlNode[] = [];
  for (const child of element.children) {
    if (!isElement(child)) {
      // Text belongs to the element only where a filter took the element whole.
      if (inside) children.push(child);
      continue;
    }
    const pruned = prune(child, selections, standing);
    if (pruned !== undefined) children.push(pruned);
  }
  // RFC 3863 §4.1.2: a tuple holds a <status>; one kept only as a way to its other children keeps an empty one, valid and telling nothing.
  if (element.ns === PIDF_NS && element.name === 'tuple' && !children.some((c) => isElement(c) && c.ns === PIDF_NS && c.name === 'status')) {
    if (children.length > 0 || inside) children.unshift(EMPTY_STATUS);
  }
  const attributeIncluded = element.attributes.some((a) => selections.some((s, i) => standing[i] !== 'out' && s.includeAttributes.has(a)));
  // An element no filter took whole stays only as the way to something one did (RFC 4661: ancestors of a selected node).
  if (!inside && !attributeIncluded && children.length === 0) return undefined;
  // An attribute goes when every filter that still sees the element excludes it.
  const attributes = element.attributes.filter((a) => selections.some((s, i) => standing[i] !== 'out' && !s.excludeAttributes.has(a)));
  if (element.ns === PIDF_NS && element.name === 'tuple' && children.length === 0) children.push(EMPTY_STATUS);
  return { ns: element.ns, name: element.name, attributes, children };
}

/**
 * RFC 4661: whether a change from `previous` to `current` (the document
 * last notified to this filter's watchers, and the new one) fires one of
 * the filter's triggers. Triggers are or-ed, the conditions inside one
 * and-ed. Nodes are paired across the two versions by key (their path with
 * ids, else positions among same-named siblings):
 * - changed: a node whose value differs (text of an element, value of an
 *   attribute), a node on one side only counting as a change from or to
 *   nothing (the presentity coming online or going offline changes its
 *   basic status); it must have been `from` and become `to`, and moved at
 *   least `by` when both values are numbers (by never fires otherwise);
 * - added: a node in `current` with no pair in `previous`;
 * - removed: a node in `previous` with no pair in `current`.
 */
export function triggerFires(filter: FilterDefinition, previous: XmlElement, current: XmlElement): boolean {
  return filter.triggers.some((conditions) => conditions.every((c) => conditionHolds(c, previous, current)));
}

function conditionHolds(condition: TriggerCondition, previous: XmlElement, current: XmlElement): boolean {
  const before = valuesByKey(condition.path, previous);
  const after = valuesByKey(condition.path, current);
  if (condition.kind !== 'changed') {
    const [from, to] = condition.kind === 'added' ? [before, after] : [after, before];
    return [...to.keys()].some((k) => !from.has(k));
  }
  // A node on one side only changed from (or to) nothing: the presentity coming online changes its basic status.
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(key);
    const value = after.get(key);
    if (old === value) continue;
    if (condition.from !== undefined && old !== condition.from) continue;
    if (condition.to !== undefined && value !== condition.to) continue;
    if (condition.by !== undefined && (old === undefined || value === undefined || !movedBy(old, value, condition.by))) continue;
    return true;
  }
  return false;
}

function movedBy(old: string, value: string, by: number): boolean {
  const a = Number(old.trim());
  const b = Number(value.trim());
  if (old.trim() === '' || value.trim() === '' || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(b - a) >= by;
}

function valuesByKey(path: CompiledPath, root: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of selectNodes(path, root)) out.set(node.key, node.attribute === undefined ? textContent(node.element) : node.attribute.value);
  return out;
}

/** A version of a presentity's view as a filter class sees it: the parsed tree and the filtered body. */
export interface FilteredVersion {
  readonly root: XmlElement;
  readonly body: string;
}

/**
 * Whether the watchers holding `filters` hear of the change from `previous`
 * (what they were last notified) to `current`: a filter with triggers fires
 * by them (triggerFires); a filter without triggers fires when the filtered
 * document they would receive differs from the one they have. No active
 * filter: every change notifies, as without filters.
 */
export function changeNotifies(filters: readonly FilterDefinition[], previous: FilteredVersion, current: FilteredVersion): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => (f.triggers.length > 0 ? triggerFires(f, previous.root, current.root) : previous.body !== current.body));
}
