import { PIDF_NS, getAttribute, isElement, textContent, type XmlAttribute, type XmlElement } from '@presence/pidf';
import { malformedFilter, unsupportedFilter } from './filter-error.js';

/** prefix -> namespace URI, from the filter document's <ns-bindings> (RFC 4661). */
export type NsBindings = ReadonlyMap<string, string>;

/** A name test: `ns` undefined matches any namespace (`*`), `local` undefined any local name (`prefix:*`). */
interface NameTest {
  readonly ns: string | undefined;
  readonly local: string | undefined;
  /** An unprefixed element name: matches in the PIDF namespace or in none (see matchesElement). */
  readonly unprefixed: boolean;
}

type Predicate =
  | { readonly kind: 'position'; readonly n: number }
  | { readonly kind: 'or' | 'and'; readonly left: Predicate; readonly right: Predicate }
  | { readonly kind: 'compare'; readonly path: CompiledPath; readonly op: '=' | '!='; readonly literal: string }
  | { readonly kind: 'exists'; readonly path: CompiledPath };

interface Step {
  /** child: `/x`; descendant: `//x` (descendant-or-self::node()/child::x); self: `.` */
  readonly axis: 'child' | 'descendant' | 'self';
  readonly test: NameTest;
  readonly predicates: readonly Predicate[];
}

/** A compiled location path of the RFC 4661 XPath subset; `attribute` is a final `@name` step. */
export interface CompiledPath {
  readonly steps: readonly Step[];
  readonly attribute: NameTest | undefined;
}

/** One node a path selected: an element, or an attribute of it; `key` names it stably across versions. */
export interface Selected {
  readonly element: XmlElement;
  readonly attribute: XmlAttribute | undefined;
  /** Ancestors' and own names with their id (or position among same-named siblings): pairs a node across two versions. */
  readonly key: string;
}

/** Most characters, steps and predicate nesting in one expression: a hostile filter costs bounded CPU. */
export const XPATH_LIMITS = Object.freeze({ maxLength: 1024, maxSteps: 32, maxNesting: 8 });

const ANY: NameTest = Object.freeze({ ns: undefined, local: undefined, unprefixed: false });
const SELF: NameTest = ANY;

/**
 * Compiles an expression of the XPath 1.0 subset a filter may use (RFC 4661
 * filters address PIDF by location paths): child `/` and descendant `//`
 * steps, `.`, name tests (`name`, `prefix:name`, `prefix:*`, `*`), a final
 * attribute step `@name`, and predicates made of positions, `and`, `or`,
 * parentheses, existence of a relative path, and `=` / `!=` against a string
 * literal. Other XPath (axes, functions, unions, variables, arithmetic) is
 * well formed but not processed here: UnsupportedFilterError (488). A prefix
 * the filter did not bind, or broken syntax: PolicyError (400).
 */
export function compileXPath(expression: string, bindings: NsBindings): CompiledPath {
  if (expression.length > XPATH_LIMITS.maxLength) throw unsupportedFilter(`XPath expression longer than ${XPATH_LIMITS.maxLength} characters`);
  const parser = new PathParser(tokenize(expression), bindings, expression);
  const path = parser.path(true, 0);
  parser.end();
  return path;
}

/** The nodes `path` selects in the document whose root element is `root` (document order). */
export function selectNodes(path: CompiledPath, root: XmlElement): Selected[] {
  // The document node: its one child is the root element, so `/presence` is a child step from it.
  let contexts: { element: XmlElement; key: string }[] = [{ element: { ns: '', name: '', attributes: [], children: [root] }, key: '' }];
  for (const step of path.steps) {
    const next: { element: XmlElement; key: string }[] = [];
    for (const context of contexts) applyStep(step, context.element, context.key, next);
    contexts = next;
    if (contexts.length === 0) return [];
  }
  const out: Selected[] = [];
  for (const { element, key } of contexts) {
    if (path.attribute === undefined) {
      out.push({ element, attribute: undefined, key });
      continue;
    }
    for (const attribute of element.attributes) {
      if (matchesAttribute(path.attribute, attribute)) out.push({ element, attribute, key: `${key}/@{${attribute.ns}}${attribute.name}` });
    }
  }
  return out;
}

/** XPath string-values of what `path` selects from `context` (relative): element text content or attribute value. */
function stringValues(path: CompiledPath, context: XmlElement): string[] {
  let contexts: { element: XmlElement; key: string }[] = [{ element: context, key: '' }];
  for (const step of path.steps) {
    const next: { element: XmlElement; key: string }[] = [];
    for (const c of contexts) applyStep(step, c.element, '', next);
    contexts = next;
  }
  const out: string[] = [];
  for (const { element } of contexts) {
    if (path.attribute === undefined) out.push(textContent(element));
    else for (const attribute of element.attributes) if (matchesAttribute(path.attribute, attribute)) out.push(attribute.value);
  }
  return out;
}

function applyStep(step: Step, context: XmlElement, key: string, out: { element: XmlElement; key: string }[]): void {
  if (step.axis === 'self') {
    if (step.predicates.every((p) => holds(p, context, 1))) out.push({ element: context, key });
    return;
  }
  if (step.axis === 'descendant') {
    // descendant-or-self::node()/child::test: the child step from the context and from every element below it.
    const stack: { element: XmlElement; key: string }[] = [{ element: context, key }];
    while (stack.length > 0) {
      const { element, key: k } = stack.pop()!;
      childStep(step, element, k, out);
      const below: { element: XmlElement; key: string }[] = [];
      forEachChild(element, k, (child, childKey) => below.push({ element: child, key: childKey }));
      for (let i = below.length - 1; i >= 0; i--) stack.push(below[i]!);
    }
    return;
  }
  childStep(step, context, key, out);
}

function childStep(step: Step, context: XmlElement, key: string, out: { element: XmlElement; key: string }[]): void {
  let position = 0;
  forEachChild(context, key, (child, childKey) => {
    if (!matchesElement(step.test, child)) return;
    position += 1;
    if (step.predicates.every((p) => holds(p, child, position))) out.push({ element: child, key: childKey });
  });
}

/** Child elements with their keys: `{ns}name#id`, else `{ns}name[n]` counting same-named siblings. */
function forEachChild(element: XmlElement, key: string, visit: (child: XmlElement, childKey: string) => void): void {
  let counts: Map<string, number> | undefined;
  for (const child of element.children) {
    if (!isElement(child)) continue;
    const name = `{${child.ns}}${child.name}`;
    const id = getAttribute(child, 'id');
    let segment: string;
    if (id !== undefined) segment = `${name}#${id}`;
    else {
      counts ??= new Map();
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      segment = `${name}[${n}]`;
    }
    visit(child, `${key}/${segment}`);
  }
}

function holds(predicate: Predicate, element: XmlElement, position: number): boolean {
  switch (predicate.kind) {
    case 'position':
      return position === predicate.n;
    case 'and':
      return holds(predicate.left, element, position) && holds(predicate.right, element, position);
    case 'or':
      return holds(predicate.left, element, position) || holds(predicate.right, element, position);
    case 'exists':
      return stringValues(predicate.path, element).length > 0;
    case 'compare': {
      // XPath 1.0 §3.4: a node-set compared with a string holds if some node's string-value compares so.
      const values = stringValues(predicate.path, element);
      return predicate.op === '=' ? values.includes(predicate.literal) : values.some((v) => v !== predicate.literal);
    }
  }
}

/**
 * XPath 1.0 gives unprefixed names no namespace, but PIDF puts its own
 * elements in a default namespace, and filters written as `/presence/tuple`
 * mean those: an unprefixed name matches in the PIDF namespace or in none.
 */
function matchesElement(test: NameTest, element: XmlElement): boolean {
  if (test.local !== undefined && test.local !== element.name) return false;
  if (test.unprefixed) return element.ns === PIDF_NS || element.ns === '';
  return test.ns === undefined || test.ns === element.ns;
}

function matchesAttribute(test: NameTest, attribute: XmlAttribute): boolean {
  if (test.local !== undefined && test.local !== attribute.name) return false;
  if (test.unprefixed) return attribute.ns === '';
  return test.ns === undefined || test.ns === attribute.ns;
}

// ---- tokens ------------------------------------------------------------------------------------

type Token =
  | { readonly t: '/' | '//' | '[' | ']' | '(' | ')' | '@' | '=' | '!=' | '*' | '.' | 'end' }
  | { readonly t: 'name'; readonly prefix: string | undefined; readonly local: string | undefined }
  | { readonly t: 'literal'; readonly value: string }
  | { readonly t: 'number'; readonly value: number };

const NCNAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*/;
/** XPath 1.0 tokens outside the subset: well-formed XPath the notifier does not process (488). */
const UNSUPPORTED_TOKENS = ['::', '..', '|', '$', '<', '>', '+', ','];

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const unsupported = UNSUPPORTED_TOKENS.find((u) => expression.startsWith(u, i));
    if (unsupported !== undefined) throw unsupportedFilter(`XPath '${unsupported}' not supported`);
    if (expression.startsWith('//', i)) {
      tokens.push({ t: '//' });
      i += 2;
    } else if (expression.startsWith('!=', i)) {
      tokens.push({ t: '!=' });
      i += 2;
    } else if ('/[]()@=*.'.includes(c) && !(c === '.' && /[0-9]/.test(expression[i + 1] ?? ''))) {
      tokens.push({ t: c as '/' });
      i++;
    } else if (c === '"' || c === "'") {
      const close = expression.indexOf(c, i + 1);
      if (close < 0) throw malformedFilter('XPath string literal not closed');
      tokens.push({ t: 'literal', value: expression.slice(i + 1, close) });
      i = close + 1;
    } else if (/[0-9.]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]*)?|^\.[0-9]+/.exec(expression.slice(i))!;
      tokens.push({ t: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else {
      const first = NCNAME.exec(expression.slice(i));
      if (first === null) throw malformedFilter(`XPath has an unexpected '${c}'`);
      i += first[0].length;
      if (expression[i] === ':' && expression[i + 1] === '*') {
        tokens.push({ t: 'name', prefix: first[0], local: undefined });
        i += 2;
      } else if (expression[i] === ':' && expression[i + 1] !== ':') {
        const second = NCNAME.exec(expression.slice(i + 1));
        if (second === null) throw malformedFilter('XPath has a prefix without a local name');
        tokens.push({ t: 'name', prefix: first[0], local: second[0] });
        i += 1 + second[0].length;
      } else {
        tokens.push({ t: 'name', prefix: undefined, local: first[0] });
      }
    }
  }
  tokens.push({ t: 'end' });
  return tokens;
}

// ---- parser ------------------------------------------------------------------------------------

class PathParser {
  private at = 0;
  private steps = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly bindings: NsBindings,
    private readonly source: string,
  ) {}

  end(): void {
    if (this.peek().t !== 'end') throw malformedFilter(`XPath has trailing input: ${this.source}`);
  }

  /** A location path; `top`: the filter's own expression (absolute or relative to the document), else inside a predicate. */
  path(top: boolean, nesting: number): CompiledPath {
    const steps: Step[] = [];
    let axis: Step['axis'] = 'child';
    const first = this.peek().t;
    if (first === '/' || first === '//') {
      this.at++;
      axis = first === '//' ? 'descendant' : 'child';
      if (!top) throw unsupportedFilter('XPath absolute path inside a predicate not supported');
    }
    for (;;) {
      if (++this.steps > XPATH_LIMITS.maxSteps) throw unsupportedFilter(`XPath with more than ${XPATH_LIMITS.maxSteps} steps`);
      const token = this.next();
      if (token.t === '@') {
        const attribute = this.nameTest(this.next());
        if (this.peek().t === '[') throw unsupportedFilter('XPath predicate on an attribute not supported');
        return { steps, attribute };
      }
      if (token.t === '.') steps.push({ axis: 'self', test: SELF, predicates: this.predicates(nesting) });
      else if (token.t === '*' || token.t === 'name') {
        if (this.peek().t === '(') throw unsupportedFilter(`XPath function ${token.t === 'name' ? token.local : '*'}() not supported`);
        steps.push({ axis, test: this.nameTest(token), predicates: this.predicates(nesting) });
      } else throw malformedFilter(`XPath expected a step in: ${this.source}`);
      const separator = this.peek().t;
      if (separator !== '/' && separator !== '//') return { steps, attribute: undefined };
      this.at++;
      axis = separator === '//' ? 'descendant' : 'child';
    }
  }

  private nameTest(token: Token): NameTest {
    if (token.t === '*') return ANY;
    if (token.t !== 'name') throw malformedFilter(`XPath expected a name in: ${this.source}`);
    if (token.prefix === undefined) return { ns: undefined, local: token.local, unprefixed: true };
    const ns = this.bindings.get(token.prefix);
    if (ns === undefined) throw malformedFilter(`XPath prefix '${token.prefix}' not bound in <ns-bindings>`);
    return { ns, local: token.local, unprefixed: false };
  }

  private predicates(nesting: number): Predicate[] {
    const out: Predicate[] = [];
    while (this.peek().t === '[') {
      if (nesting + 1 > XPATH_LIMITS.maxNesting) throw unsupportedFilter(`XPath predicates nested deeper than ${XPATH_LIMITS.maxNesting}`);
      this.at++;
      out.push(this.or(nesting + 1));
      this.expect(']');
    }
    return out;
  }

  private or(nesting: number): Predicate {
    let left = this.and(nesting);
    while (this.isKeyword('or')) {
      this.at++;
      left = { kind: 'or', left, right: this.and(nesting) };
    }
    return left;
  }

  private and(nesting: number): Predicate {
    let left = this.primary(nesting);
    while (this.isKeyword('and')) {
      this.at++;
      left = { kind: 'and', left, right: this.primary(nesting) };
    }
    return left;
  }

  private primary(nesting: number): Predicate {
    const token = this.peek();
    if (token.t === '(') {
      this.at++;
      const inner = this.or(nesting);
      this.expect(')');
      return inner;
    }
    if (token.t === 'number') {
      this.at++;
      if (!Number.isInteger(token.value) || token.value < 1) throw unsupportedFilter('XPath position must be a whole number from 1');
      return { kind: 'position', n: token.value };
    }
    if (token.t === 'literal') throw unsupportedFilter('XPath literal on the left of a comparison not supported');
    const path = this.path(false, nesting);
    const op = this.peek().t;
    if (op !== '=' && op !== '!=') return { kind: 'exists', path };
    this.at++;
    const literal = this.next();
    if (literal.t === 'number') return { kind: 'compare', path, op, literal: String(literal.value) };
    if (literal.t !== 'literal') throw unsupportedFilter('XPath comparison with something other than a literal not supported');
    return { kind: 'compare', path, op, literal: literal.value };
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.t === 'name' && token.prefix === undefined && token.local === word;
  }

  private expect(t: Token['t']): void {
    if (this.next().t !== t) throw malformedFilter(`XPath expected '${t}' in: ${this.source}`);
  }

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const token = this.tokens[this.at]!;
    if (token.t !== 'end') this.at++;
    return token;
  }
}
