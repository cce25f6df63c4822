import { createHash } from 'node:crypto';
import { childElements, getAttribute, isElement, type PidfLimits, type XmlElement } from '@presence/pidf';
import { parsePolicyXml, trimmedText } from '../rules/xml-input.js';
import { malformedFilter, unsupportedFilter } from './filter-error.js';
import { renderFilterSet } from './render-filter-set.js';
import { compileXPath, type CompiledPath, type NsBindings } from './xpath-subset.js';

/** RFC 4661: the filter document's namespace and MIME type. */
export const SIMPLE_FILTER_NS = 'urn:ietf:params:xml:ns:simple-filter';
export const SIMPLE_FILTER_CONTENT_TYPE = 'application/simple-filter+xml';

/** A filter body is small: a few expressions. Bounded like every XML input, tighter than PIDF. */
export const defaultFilterLimits: PidfLimits = Object.freeze({ maxBytes: 16 * 1024, maxDepth: 8, maxElements: 256, maxAttributes: 16 });
/** Most filters one subscription holds, and expressions over all of them: what each NOTIFY evaluates stays bounded. */
export const MAX_FILTERS = 16;
export const MAX_EXPRESSIONS = 64;

/** An <include> or <exclude> (RFC 4661): an XPath location path, or every element of a namespace. */
export type Selector = { readonly type: 'xpath'; readonly source: string; readonly path: CompiledPath } | { readonly type: 'namespace'; readonly uri: string };

/** One condition of a <trigger> (RFC 4661); a trigger fires when all of its conditions do. */
export type TriggerCondition =
  | { readonly kind: 'changed'; readonly source: string; readonly path: CompiledPath; readonly from?: string; readonly to?: string; readonly by?: number }
  | { readonly kind: 'added' | 'removed'; readonly source: string; readonly path: CompiledPath };

/** One <filter> (RFC 4661): what it selects, when it fires, which resource it is for. */
export interface FilterDefinition {
  readonly id: string;
  readonly uri: string | undefined;
  readonly domain: string | undefined;
  readonly enabled: boolean;
  /** Absent: the filter selects the whole document. */
  readonly what: { readonly include: readonly Selector[]; readonly exclude: readonly Selector[] } | undefined;
  /** Or-ed; empty: every change of what the filter selects notifies. */
  readonly triggers: readonly (readonly TriggerCondition[])[];
  /** The prefixes its expressions were compiled with (a digest input: same text, other bindings, other filter). */
  readonly bindings: NsBindings;
}

/** A filter document as received: filters to put (add, or replace by id) and ids to remove, in document order. */
export type FilterOperation = { readonly op: 'put'; readonly filter: FilterDefinition } | { readonly op: 'remove'; readonly id: string };

/** The filters a subscription holds; `digest` is equal for equal sets, so watchers with one filter share its work. */
export interface FilterSet {
  readonly filters: readonly FilterDefinition[];
  /** The set as one canonical filter-set document (renderFilterSet): what a dialog mirror stores. */
  readonly document: string;
  readonly digest: string;
}

/**
 * Parses an application/simple-filter+xml body (RFC 4661) with the hardened
 * XML reader. Broken format (missing id, both uri and domain, a filter with
 * neither <what> nor <trigger>, bad booleans, unbound prefixes): PolicyError
 * (400). Valid but beyond this notifier (another package, extension elements,
 * XPath outside the subset): UnsupportedFilterError (488).
 */
export function parseFilterDocument(xml: string, limits: PidfLimits = defaultFilterLimits): FilterOperation[] {
  const root = parsePolicyXml(xml, limits, 'filter', SIMPLE_FILTER_NS, 'filter-set');
  const pkg = getAttribute(root, 'package');
  if (pkg !== undefined && pkg.trim().toLowerCase() !== 'presence') throw unsupportedFilter(`filter-set for package '${pkg}'`);
  const bindings = new Map<string, string>();
  const operations: FilterOperation[] = [];
  const ids = new Set<string>();
  for (const child of elementChildren(root)) {
    if (child.name === 'ns-bindings') readBindings(child, bindings);
    else if (child.name === 'filter') {
      const operation = readFilter(child, bindings);
      const id = operation.op === 'put' ? operation.filter.id : operation.id;
      if (ids.has(id)) throw malformedFilter(`duplicate filter id '${id}'`);
      ids.add(id);
      operations.push(operation);
    } else throw malformedFilter(`unknown element <${child.name}> in <filter-set>`);
  }
  return operations;
}

/**
 * RFC 4660 §3.3.3 / RFC 4661: a SUBSCRIBE (initial or refresh) with a
 * filter document changes the subscription's filters by id: a filter with a
 * new id is added, one with a held id replaces it, `remove="true"` drops it.
 * A refresh without a body keeps the filters (the caller does not call
 * this). Undefined: no filter left, the watcher gets the whole document.
 */
export function mergeFilterSet(current: FilterSet | undefined, operations: readonly FilterOperation[]): FilterSet | undefined {
  const byId = new Map<string, FilterDefinition>();
  for (const filter of current?.filters ?? []) byId.set(filter.id, filter);
  for (const operation of operations) {
    if (operation.op === 'remove') byId.delete(operation.id);
    else byId.set(operation.filter.id, operation.filter);
  }
  if (byId.size === 0) return undefined;
  if (byId.size > MAX_FILTERS) throw unsupportedFilter(`more than ${MAX_FILTERS} filters`);
  const filters = [...byId.values()];
  let expressions = 0;
  for (const filter of filters) expressions += (filter.what?.include.length ?? 0) + (filter.what?.exclude.length ?? 0) + filter.triggers.reduce((n, t) => n + t.length, 0);
  if (expressions > MAX_EXPRESSIONS) throw unsupportedFilter(`more than ${MAX_EXPRESSIONS} expressions`);
  const document = renderFilterSet(filters);
  // Equal filters render equal documents: the digest of the canonical text is the set's identity.
  return { filters, document, digest: createHash('sha256').update(document).digest('base64url').slice(0, 22) };
}

/** The filter set a mirrored dialog stored (FilterSet.document); undefined when it holds no filter. */
export function filterSetOf(document: string): FilterSet | undefined {
  return mergeFilterSet(undefined, parseFilterDocument(document));
}

/** Children in the filter namespace; an element of another namespace is an extension this notifier does not process. */
function elementChildren(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (!isElement(child)) {
      if (child.text.trim() !== '') throw malformedFilter(`text inside <${element.name}>`);
      continue;
    }
    if (child.ns !== SIMPLE_FILTER_NS) throw unsupportedFilter(`extension element {${child.ns}}${child.name}`);
    out.push(child);
  }
  return out;
}

function readBindings(element: XmlElement, bindings: Map<string, string>): void {
  for (const binding of elementChildren(element)) {
    if (binding.name !== 'ns-binding') throw malformedFilter(`unknown element <${binding.name}> in <ns-bindings>`);
    const prefix = getAttribute(binding, 'prefix');
    const urn = getAttribute(binding, 'urn');
    if (!prefix || !urn) throw malformedFilter('<ns-binding> needs prefix and urn');
    bindings.set(prefix, urn);
  }
}

function readFilter(element: XmlElement, bindings: NsBindings): FilterOperation {
  const id = getAttribute(element, 'id');
  if (!id) throw malformedFilter('<filter> without id');
  const uri = getAttribute(element, 'uri');
  const domain = getAttribute(element, 'domain');
  if (uri !== undefined && domain !== undefined) throw malformedFilter(`filter '${id}' has both uri and domain`);
  if (booleanAttribute(element, 'remove', false)) return { op: 'remove', id };
  const enabled = booleanAttribute(element, 'enabled', true);
  let what: FilterDefinition['what'];
  const triggers: TriggerCondition[][] = [];
  for (const child of elementChildren(element)) {
    if (child.name === 'what') {
      if (what !== undefined) throw malformedFilter(`filter '${id}' has more than one <what>`);
      what = readWhat(child, bindings);
    } else if (child.name === 'trigger') triggers.push(readTrigger(child, bindings));
    else throw malformedFilter(`unknown element <${child.name}> in <filter>`);
  }
  if (what === undefined && triggers.length === 0) throw malformedFilter(`filter '${id}' has neither <what> nor <trigger>`);
  return { op: 'put', filter: { id, uri, domain, enabled, what, triggers, bindings: new Map(bindings) } };
}

function readWhat(element: XmlElement, bindings: NsBindings): NonNullable<FilterDefinition['what']> {
  const include: Selector[] = [];
  const exclude: Selector[] = [];
  for (const child of elementChildren(element)) {
    if (child.name !== 'include' && child.name !== 'exclude') throw malformedFilter(`unknown element <${child.name}> in <what>`);
    const text = expressionText(child);
    const type = getAttribute(child, 'type') ?? 'xpath';
    let selector: Selector;
    if (type === 'xpath') selector = { type, source: text, path: compileXPath(text, bindings) };
    else if (type === 'namespace') selector = { type, uri: text };
    else throw malformedFilter(`<${child.name}> type '${type}' (xpath or namespace)`);
    (child.name === 'include' ? include : exclude).push(selector);
  }
  if (include.length + exclude.length === 0) throw malformedFilter('empty <what>');
  return { include, exclude };
}

function readTrigger(element: XmlElement, bindings: NsBindings): TriggerCondition[] {
  const conditions: TriggerCondition[] = [];
  for (const child of elementChildren(element)) {
    const source = expressionText(child);
    const path = compileXPath(source, bindings);
    if (child.name === 'added' || child.name === 'removed') conditions.push({ kind: child.name, source, path });
    else if (child.name === 'changed') {
      const by = getAttribute(child, 'by');
      const byValue = by === undefined ? undefined : Number(by.trim());
      if (byValue !== undefined && (by!.trim() === '' || !Number.isFinite(byValue))) throw malformedFilter(`<changed by="${by}"> is not a number`);
      conditions.push({ kind: 'changed', source, path, ...optional('from', getAttribute(child, 'from')), ...optional('to', getAttribute(child, 'to')), ...(byValue === undefined ? {} : { by: byValue }) });
    } else throw malformedFilter(`unknown element <${child.name}> in <trigger>`);
  }
  if (conditions.length === 0) throw malformedFilter('empty <trigger>');
  return conditions;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function expressionText(element: XmlElement): string {
  if (childElements(element).length > 0) throw malformedFilter(`<${element.name}> holds elements, not an expression`);
  const text = trimmedText(element);
  if (text === '') throw malformedFilter(`empty <${element.name}>`);
  return text;
}

/** xs:boolean: true, false, 1, 0 (surrounding whitespace collapsed). */
function booleanAttribute(element: XmlElement, name: string, fallback: boolean): boolean {
  const value = getAttribute(element, name)?.trim();
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw malformedFilter(`${name}="${value}" is not a boolean`);
}
