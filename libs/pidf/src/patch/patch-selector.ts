import { PatchError } from './patch-error.js';

/** An element name test: a namespace-qualified name, or `*` (any element). */
export type NameTest = { readonly ns: string; readonly name: string } | '*';

export type Predicate =
  | { readonly kind: 'position'; readonly position: number }
  | { readonly kind: 'attribute'; readonly ns: string; readonly name: string; readonly value: string }
  /** `[.='v']` and `[text()='v']`: the element's string value. */
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'child'; readonly test: NameTest; readonly value: string };

export interface Step {
  readonly test: NameTest;
  readonly predicates: readonly Predicate[];
}

/** What the selector ends on below its last element: the element itself, one of its attributes, or one of its text nodes. */
export type Terminal =
  | { readonly kind: 'element' }
  | { readonly kind: 'attribute'; readonly ns: string; readonly name: string }
  | { readonly kind: 'text'; readonly position: number | undefined };

export interface Selector {
  readonly steps: readonly Step[];
  readonly terminal: Terminal;
}

/** Prefix -> namespace in scope where the selector is written; '' is the default namespace. */
export type PrefixResolver = (prefix: string) => string | undefined;

const NCNAME = /^[A-Za-z_][\w.-]*$/;

/**
 * Parses the RFC 5261 §3 `sel` subset of XPath: location steps from the
 * document (a leading `/` optional) with name tests and `[n]`, `[@a='v']`,
 * `[.='v']`, `[text()='v']`, `[name='v']` predicates, ending on an element,
 * an attribute (`@a`) or a text node (`text()`, `text()[n]`). Unprefixed
 * element names are in the default namespace in scope (RFC 5261 §4.2.1,
 * unlike XPath 1.0). Namespace, comment and processing-instruction nodes
 * and the id() function are refused: PIDF documents here carry none.
 * @throws PatchError naming the RFC 5261 §5.1 error condition.
 */
export function parseSelector(sel: string, resolve: PrefixResolver): Selector {
  const text = sel.trim();
  if (text.startsWith('id(')) throw new PatchError('unsupported-id-function', `id() in sel "${sel}" is not supported`);
  const parts = splitSteps(text.startsWith('/') ? text.slice(1) : text, sel);
  const steps: Step[] = [];
  let terminal: Terminal = { kind: 'element' };
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (last && part.startsWith('@')) {
      const { ns, name } = qualified(part.slice(1), resolve, sel, true);
      terminal = { kind: 'attribute', ns, name };
      return;
    }
    if (last && part.startsWith('text()')) {
      const predicates = parsePredicates(part.slice('text()'.length), resolve, sel);
      const only = predicates[0];
      if (predicates.length > 1 || (only !== undefined && only.kind !== 'position')) throw invalidSel(sel, 'text() takes one position at most');
      terminal = { kind: 'text', position: only?.kind === 'position' ? only.position : undefined };
      return;
    }
    if (/^(namespace::|comment\(|processing-instruction\()/.test(part)) throw new PatchError('invalid-node-types', `sel "${sel}" selects a node type PIDF has not`);
    const open = part.indexOf('[');
    const name = open < 0 ? part : part.slice(0, open);
    const test: NameTest = name === '*' ? '*' : qualified(name, resolve, sel, false);
    steps.push({ test, predicates: parsePredicates(open < 0 ? '' : part.slice(open), resolve, sel) });
  });
  if (steps.length === 0) throw invalidSel(sel, 'no element step');
  return { steps, terminal };
}

/** Splits on `/` outside predicates and quotes. */
function splitSteps(text: string, sel: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '/' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  if (quote !== '' || depth !== 0 || parts.some((p) => p === '')) throw invalidSel(sel, 'not a location path');
  return parts;
}

function parsePredicates(text: string, resolve: PrefixResolver, sel: string): Predicate[] {
  const predicates: Predicate[] = [];
  let rest = text;
  while (rest.length > 0) {
    const match = /^\[\s*(?:(\d+)|(@?[\w.:-]+|\.|text\(\))\s*=\s*(?:'([^']*)'|"([^"]*)"))\s*\]/.exec(rest);
    if (!match) throw invalidSel(sel, `unsupported predicate ${rest}`);
    rest = rest.slice(match[0].length);
    if (match[1] !== undefined) {
      const position = Number(match[1]);
      if (position < 1) throw invalidSel(sel, 'positions start at 1');
      predicates.push({ kind: 'position', position });
      continue;
    }
    const subject = match[2]!;
    const value = match[3] ?? match[4] ?? '';
    if (subject === '.' || subject === 'text()') predicates.push({ kind: 'value', value });
    else if (subject.startsWith('@')) predicates.push({ kind: 'attribute', ...qualified(subject.slice(1), resolve, sel, true), value });
    else predicates.push({ kind: 'child', test: qualified(subject, resolve, sel, false), value });
  }
  return predicates;
}

/** A QName resolved: attributes without prefix are in no namespace, elements in the default one (RFC 5261 §4.2.1). */
function qualified(qname: string, resolve: PrefixResolver, sel: string, attribute: boolean): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const name = colon < 0 ? qname : qname.slice(colon + 1);
  if (!NCNAME.test(name) || (prefix !== '' && !NCNAME.test(prefix))) throw invalidSel(sel, `bad name ${qname}`);
  if (prefix === '') return { ns: attribute ? '' : (resolve('') ?? ''), name };
  if (prefix === 'xml') return { ns: 'http://www.w3.org/XML/1998/namespace', name };
  const ns = resolve(prefix);
  if (ns === undefined) throw new PatchError('invalid-namespace-prefix', `prefix ${prefix} in sel "${sel}" is not declared`);
  return { ns, name };
}

function invalidSel(sel: string, why: string): PatchError {
  return new PatchError('invalid-patch-directive', `sel "${sel}": ${why}`);
}
