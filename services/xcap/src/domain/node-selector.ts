import { XcapFailure } from './xcap-failure.js';

/** A QName as written in the selector; its prefix is resolved against the request's xmlns() bindings. */
export interface QName {
  readonly prefix: string;
  readonly local: string;
}

/** RFC 4825 §6.3 step: NameorAny, then [position], then [@attr="value"], in that order when both. */
export interface SelectorStep {
  /** Absent: `*`, any element. */
  readonly name?: QName;
  /** 1-based position among the siblings matching `name`. */
  readonly position?: number;
  readonly attribute?: { readonly name: QName; readonly value: string };
}

export type TerminalSelector = { readonly kind: 'attribute'; readonly name: QName } | { readonly kind: 'namespaces' };

export interface NodeSelector {
  readonly steps: readonly SelectorStep[];
  readonly terminal?: TerminalSelector;
}

/** Longest selector read; a URI longer than that is not one a client writes. */
export const MAX_NODE_SELECTOR_LENGTH = 4096;
const NCNAME = /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9._\-\u00B7\u00C0-\uFFFF]*/;

/**
 * Parses the node selector of RFC 4825 §6.3 (already percent-decoded):
 * `step *("/" step) ["/" terminal]`, a terminal being `@attr` or
 * `namespace::*`. Throws a 400 naming the first problem.
 */
export function parseNodeSelector(text: string): NodeSelector {
  if (text.length > MAX_NODE_SELECTOR_LENGTH) throw bad(`longer than ${MAX_NODE_SELECTOR_LENGTH} characters`);
  const reader = new SelectorReader(text);
  const steps: SelectorStep[] = [];
  let terminal: TerminalSelector | undefined;
  for (;;) {
    if (reader.rest().startsWith('@')) {
      reader.skip(1);
      terminal = { kind: 'attribute', name: reader.qname('attribute name') };
    } else if (reader.rest().startsWith('namespace::*')) {
      reader.skip('namespace::*'.length);
      terminal = { kind: 'namespaces' };
    } else {
      steps.push(reader.step());
    }
    if (reader.done()) break;
    if (terminal !== undefined) throw bad(`nothing may follow ${terminal.kind === 'attribute' ? 'an attribute selector' : 'namespace::*'}`);
    reader.expect('/');
  }
  if (steps.length === 0) throw bad('no element step before the terminal selector');
  return terminal === undefined ? { steps } : { steps, terminal };
}

/** Renders a selector back into its text (the inverse of parseNodeSelector on what it returns). */
export function formatNodeSelector(selector: NodeSelector): string {
  const parts = selector.steps.map((step) => {
    let text = step.name === undefined ? '*' : formatQName(step.name);
    if (step.position !== undefined) text += `[${step.position}]`;
    if (step.attribute !== undefined) text += `[@${formatQName(step.attribute.name)}=${quote(step.attribute.value)}]`;
    return text;
  });
  if (selector.terminal?.kind === 'attribute') parts.push(`@${formatQName(selector.terminal.name)}`);
  if (selector.terminal?.kind === 'namespaces') parts.push('namespace::*');
  return parts.join('/');
}

function formatQName(name: QName): string {
  return name.prefix === '' ? name.local : `${name.prefix}:${name.local}`;
}

/** XML AttValue quoting: the quote that does not occur, else &quot; for it. */
function quote(value: string): string {
  const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return escaped.includes('"') ? `'${escaped.replace(/'/g, '&apos;')}'` : `"${escaped}"`;
}

class SelectorReader {
  private at = 0;

  constructor(private readonly text: string) {}

  rest(): string {
    return this.text.slice(this.at);
  }

  done(): boolean {
    return this.at >= this.text.length;
  }

  skip(count: number): void {
    this.at += count;
  }

  expect(literal: string): void {
    if (!this.rest().startsWith(literal)) throw bad(`expected "${literal}" at ${this.where()}`);
    this.at += literal.length;
  }

  step(): SelectorStep {
    let name: QName | undefined;
    if (this.rest().startsWith('*')) this.skip(1);
    else name = this.qname('element name');
    let position: number | undefined;
    let attribute: SelectorStep['attribute'];
    if (this.rest().startsWith('[') && !this.rest().startsWith('[@')) {
      this.skip(1);
      const digits = /^[0-9]+/.exec(this.rest());
      if (digits === null) throw bad(`expected a position or @attribute in [] at ${this.where()}`);
      this.skip(digits[0].length);
      position = Number(digits[0]);
      if (!Number.isSafeInteger(position) || position < 1) throw bad(`position ${digits[0]} is not a positive integer`);
      this.expect(']');
    }
    if (this.rest().startsWith('[@')) {
      this.skip(2);
      const attributeName = this.qname('attribute name');
      this.expect('=');
      attribute = { name: attributeName, value: this.attValue() };
      this.expect(']');
    }
    return { ...(name === undefined ? {} : { name }), ...(position === undefined ? {} : { position }), ...(attribute === undefined ? {} : { attribute }) };
  }

  qname(what: string): QName {
    const first = NCNAME.exec(this.rest());
    if (first === null) throw bad(`expected ${what} at ${this.where()}`);
    this.skip(first[0].length);
    if (!this.rest().startsWith(':')) return { prefix: '', local: first[0] };
    this.skip(1);
    const second = NCNAME.exec(this.rest());
    if (second === null) throw bad(`expected a local name after "${first[0]}:" at ${this.where()}`);
    this.skip(second[0].length);
    return { prefix: first[0], local: second[0] };
  }

  /** XML AttValue: a quoted string, entity and character references decoded; no raw < or &. */
  attValue(): string {
    const quoteChar = this.rest()[0];
    if (quoteChar !== '"' && quoteChar !== "'") throw bad(`expected a quoted attribute value at ${this.where()}`);
    const end = this.text.indexOf(quoteChar, this.at + 1);
    if (end === -1) throw bad('unterminated attribute value');
    const raw = this.text.slice(this.at + 1, end);
    this.at = end + 1;
    return decodeReferences(raw);
  }

  private where(): string {
    return `"${this.text.slice(this.at, this.at + 30)}"`;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes &name; and &#n; / &#xh; references; a raw `<` or a stray `&` is refused (XML AttValue). */
export function decodeReferences(raw: string): string {
  if (raw.includes('<')) throw bad('"<" in an attribute value');
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw bad('"&" that starts no reference in an attribute value');
    if (body in ENTITIES) return ENTITIES[body]!;
    const code = /^#x([0-9A-Fa-f]{1,6})$/.exec(body)?.[1] ?? /^#([0-9]{1,7})$/.exec(body)?.[1];
    const point = code === undefined ? NaN : body.startsWith('#x') ? parseInt(code, 16) : Number(code);
    if (!Number.isInteger(point) || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff) || point === 0) throw bad(`unknown reference "&${body};"`);
    return String.fromCodePoint(point);
  });
}

function bad(problem: string): XcapFailure {
  return new XcapFailure(400, `Bad Request: node selector: ${problem}`);
}
