import type { NodeSelector, QName, SelectorStep } from './node-selector.js';
import { XcapFailure } from './xcap-failure.js';
import { XML_NAMESPACE, type XElement } from './xml-tree.js';

/** A name with its namespace resolved; `ns` undefined for `*`. */
export interface ResolvedName {
  readonly ns: string;
  readonly local: string;
}

export interface ResolvedStep {
  readonly name?: ResolvedName;
  readonly position?: number;
  readonly attribute?: { readonly name: ResolvedName; readonly value: string };
}

export interface ResolvedSelector {
  readonly steps: readonly ResolvedStep[];
  readonly terminal?: { readonly kind: 'attribute'; readonly name: ResolvedName } | { readonly kind: 'namespaces' };
}

/**
 * Binds the selector's prefixes: a prefixed name through the query's
 * xmlns() bindings (RFC 4825 §6.4), an unprefixed element name to the
 * application usage's default namespace (RFC 4825 §6.3, "the default
 * document namespace"), an unprefixed attribute name to no namespace.
 * An unbound prefix is a 400.
 */
export function resolveSelector(selector: NodeSelector, bindings: ReadonlyMap<string, string>, defaultNs: string): ResolvedSelector {
  const resolve = (name: QName, unprefixedNs: string): ResolvedName => {
    if (name.prefix === '') return { ns: unprefixedNs, local: name.local };
    const ns = name.prefix === 'xml' ? XML_NAMESPACE : bindings.get(name.prefix);
    if (ns === undefined) throw new XcapFailure(400, `Bad Request: node selector prefix "${name.prefix}" is not bound by an xmlns() in the query`);
    return { ns, local: name.local };
  };
  const steps = selector.steps.map((step: SelectorStep): ResolvedStep => ({
    ...(step.name === undefined ? {} : { name: resolve(step.name, defaultNs) }),
    ...(step.position === undefined ? {} : { position: step.position }),
    ...(step.attribute === undefined ? {} : { attribute: { name: resolve(step.attribute.name, ''), value: step.attribute.value } }),
  }));
  const terminal = selector.terminal;
  if (terminal === undefined) return { steps };
  return { steps, terminal: terminal.kind === 'namespaces' ? terminal : { kind: 'attribute', name: resolve(terminal.name, '') } };
}

/** The element paths (root first) the steps select, XPath-like: `name[n][@a="v"]` takes the n-th `name` child, then tests the attribute. */
export function selectElements(root: XElement, steps: readonly ResolvedStep[]): XElement[][] {
  let current: XElement[][] = [[]];
  for (const step of steps) {
    const next: XElement[][] = [];
    for (const path of current) {
      const parent = path[path.length - 1];
      const candidates = parent === undefined ? [root] : parent.children.filter((child): child is XElement => child.kind === 'element');
      for (const element of stepMatches(candidates, step)) next.push([...path, element]);
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** The candidates (siblings, in order) one step keeps. */
export function stepMatches(siblings: readonly XElement[], step: ResolvedStep): XElement[] {
  let named = siblings.filter((element) => nameMatches(element, step.name));
  if (step.position !== undefined) named = named.slice(step.position - 1, step.position);
  const attribute = step.attribute;
  if (attribute === undefined) return named;
  return named.filter((element) => attributeValue(element, attribute.name) === attribute.value);
}

export function nameMatches(element: XElement, name: ResolvedName | undefined): boolean {
  return name === undefined || (element.ns === name.ns && element.local === name.local);
}

export function attributeValue(element: XElement, name: ResolvedName): string | undefined {
  return element.attributes.find((attribute) => attribute.ns === name.ns && attribute.local === name.local)?.value;
}
