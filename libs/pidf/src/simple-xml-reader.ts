import { XML_NS, XMLNS_NS } from './namespaces.js';
import type { TreeParseOptions } from './xml-tree-parser.js';
import type { XmlAttribute, XmlElement, XmlNode } from './xml-node.js';
import { withoutIndentation } from './xml-whitespace.js';

/**
 * A fast reader for the plain XML that presence bodies nearly always are:
 * an optional `<?xml version="1.0" …?>`, elements, attributes, text and the
 * five predefined entities, names in ASCII. It returns the same tree saxes
 * gives (parseXmlTree), or undefined for anything outside that subset —
 * comments, CDATA, DOCTYPE, processing instructions, character references,
 * characters from U+D800 up, a limit reached, any error at all — so that
 * saxes reads the document and refuses it exactly as before. It never throws:
 * every refusal is saxes's own. saxes was ~13 % of a new PUBLISH.
 */
export function readSimpleXml(xml: string, options: TreeParseOptions): XmlElement | undefined {
  if (OUTSIDE_SUBSET.test(xml)) return undefined;
  let i = 0;
  if (xml.startsWith('<?')) {
    const declaration = XML_DECLARATION.exec(xml);
    if (declaration === null) return undefined;
    i = declaration[0].length;
  }
  i = skipSpace(xml, i);
  if (xml.charCodeAt(i) !== LESS) return undefined;
  const reader = new SimpleXmlReader(xml, options);
  const end = reader.readRoot(i);
  if (end < 0 || skipSpace(xml, end) !== xml.length) return undefined;
  return reader.root;
}

/** Characters saxes may refuse or treat specially (C0 controls but tab/LF/CR, surrogates, U+E000 up): saxes reads those documents. */
const OUTSIDE_SUBSET = /[^\t\n\r\x20-\uD7FF]/;
/** An XML 1.0 declaration as saxes accepts it (version 1.0 only: 1.1 changes the character rules). */
const XML_DECLARATION = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.0\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/;
const ATTRIBUTE_WHITESPACE = /\r\n|[\t\n\r]/g;
const LINE_END = /\r\n?/g;
const PREDEFINED_ENTITY = /&(?:lt|gt|amp|quot|apos);/g;
const ENTITY_TEXT: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };

const LESS = 0x3c;
const GREATER = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const COLON = 0x3a;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/** One element being read: its qualified name (for the end tag), its namespace bindings and its content so far. */
interface OpenElement {
  readonly qname: string;
  readonly bindings: Map<string, string> | undefined;
  readonly ns: string;
  readonly name: string;
  readonly attributes: XmlAttribute[];
  readonly children: XmlNode[];
  hasElementChild: boolean;
}

/** Returned by the scanning steps when the document leaves the subset. */
const OUTSIDE = -1;

class SimpleXmlReader {
  root: XmlElement | undefined;
  private readonly stack: OpenElement[] = [];
  private elementCount = 0;
  /** Attribute names and values of the start tag being read, flat. */
  private readonly pending: string[] = [];

  constructor(
    private readonly xml: string,
    private readonly options: TreeParseOptions,
  ) {}

  /** Reads the root element starting at `start` (a '<'); the index after its end, or OUTSIDE. */
  readRoot(start: number): number {
    const { xml, stack } = this;
    let i = start;
    do {
      if (xml.charCodeAt(i) !== LESS) {
        const next = xml.indexOf('<', i);
        if (next < 0 || !this.addText(xml.slice(i, next))) return OUTSIDE;
        i = next;
      }
      i = xml.charCodeAt(i + 1) === SLASH ? this.readEndTag(i + 2) : this.readStartTag(i + 1);
      if (i < 0) return OUTSIDE;
    } while (stack.length > 0);
    return i;
  }

  private readStartTag(start: number): number {
    const { xml, pending, options } = this;
    const nameEnd = qualifiedNameEnd(xml, start);
    if (nameEnd < 0) return OUTSIDE;
    const qname = xml.slice(start, nameEnd);
    pending.length = 0;
    let i = nameEnd;
    for (;;) {
      const afterSpace = skipSpace(xml, i);
      const code = xml.charCodeAt(afterSpace);
      if (code === GREATER || code === SLASH) {
        if (code === SLASH && xml.charCodeAt(afterSpace + 1) !== GREATER) return OUTSIDE;
        if (!this.open(qname)) return OUTSIDE;
        if (code === GREATER) return afterSpace + 1;
        return this.close() ? afterSpace + 2 : OUTSIDE;
      }
      // XML requires whitespace between attributes.
      if (afterSpace === i) return OUTSIDE;
      const attributeEnd = qualifiedNameEnd(xml, afterSpace);
      if (attributeEnd < 0) return OUTSIDE;
      let j = skipSpace(xml, attributeEnd);
      if (xml.charCodeAt(j) !== EQUALS) return OUTSIDE;
      j = skipSpace(xml, j + 1);
      const quote = xml.charCodeAt(j);
      if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) return OUTSIDE;
      const valueEnd = xml.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", j + 1);
      if (valueEnd < 0) return OUTSIDE;
      const value = attributeValue(xml.slice(j + 1, valueEnd));
      if (value === undefined) return OUTSIDE;
      pending.push(xml.slice(afterSpace, attributeEnd), value);
      if (pending.length / 2 > options.limits.maxAttributes) return OUTSIDE;
      i = valueEnd + 1;
    }
  }

  /** Pushes the element whose start tag was just read, its attributes in `pending`. */
  private open(qname: string): boolean {
    const { stack, pending, options } = this;
    this.elementCount += 1;
    if (this.elementCount > options.limits.maxElements || stack.length + 1 > options.limits.maxDepth) return false;
    let bindings: Map<string, string> | undefined;
    for (let k = 0; k < pending.length; k += 2) {
      const name = pending[k] as string;
      if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
      const uri = pending[k + 1] as string;
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      // saxes trims declared URIs and refuses rebinding xml/xmlns or undeclaring a prefix; those documents are its to judge.
      if (uri === '' || uri !== uri.trim() || uri === XML_NS || uri === XMLNS_NS || prefix === 'xml' || prefix === 'xmlns') return false;
      bindings ??= new Map();
      bindings.set(prefix, uri);
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    if (prefix === 'xmlns' || prefix === 'xml') return false;
    const ns = this.resolve(prefix, bindings);
    if (ns === undefined) return false;
    const name = colon < 0 ? qname : qname.slice(colon + 1);
    const attributes = this.attributes(bindings);
    if (attributes === undefined) return false;
    if (stack.length === 0 && options.checkRoot !== undefined) {
      try {
        options.checkRoot(ns, name);
      } catch {
        return false;
      }
    }
    stack.push({ qname, bindings, ns, name, attributes, children: [], hasElementChild: false });
    return true;
  }

  /** The start tag's attributes as parseXmlTree keeps them; undefined for an unbound prefix or a duplicate. */
  private attributes(bindings: Map<string, string> | undefined): XmlAttribute[] | undefined {
    const { pending } = this;
    const out: XmlAttribute[] = [];
    const seen = pending.length > 2 ? new Set<string>() : undefined;
    const keepDeclarations = this.options.keepNamespaceDeclarations === true;
    for (let k = 0; k < pending.length; k += 2) {
      const qname = pending[k] as string;
      const value = pending[k + 1] as string;
      const colon = qname.indexOf(':');
      const prefix = colon < 0 ? '' : qname.slice(0, colon);
      const local = colon < 0 ? qname : qname.slice(colon + 1);
      const ns = prefix === '' ? (qname === 'xmlns' ? XMLNS_NS : '') : prefix === 'xmlns' ? XMLNS_NS : this.resolve(prefix, bindings);
      if (ns === undefined) return undefined;
      if (seen !== undefined) {
        // saxes's duplicate test: unprefixed attributes by name, the others by expanded name.
        const expanded = prefix === '' ? qname : `{${ns}}${local}`;
        if (seen.has(expanded)) return undefined;
        seen.add(expanded);
      }
      if (ns === XMLNS_NS) {
        if (keepDeclarations) out.push({ ns: XMLNS_NS, name: qname === 'xmlns' ? '' : local, value });
        continue;
      }
      out.push({ ns, name: local, value });
    }
    return out;
  }

  private resolve(prefix: string, own: Map<string, string> | undefined): string | undefined {
    const found = own?.get(prefix);
    if (found !== undefined) return found;
    const { stack } = this;
    for (let k = stack.length - 1; k >= 0; k--) {
      const uri = (stack[k] as OpenElement).bindings?.get(prefix);
      if (uri !== undefined) return uri;
    }
    if (prefix === '') return '';
    return prefix === 'xml' ? XML_NS : undefined;
  }

  private readEndTag(start: number): number {
    const { xml, stack } = this;
    const open = stack[stack.length - 1];
    if (open === undefined || !xml.startsWith(open.qname, start)) return OUTSIDE;
    const i = skipSpace(xml, start + open.qname.length);
    if (xml.charCodeAt(i) !== GREATER) return OUTSIDE;
    return this.close() ? i + 1 : OUTSIDE;
  }

  private close(): boolean {
    const open = this.stack.pop();
    if (open === undefined) return false;
    const element: XmlElement = {
      ns: open.ns,
      name: open.name,
      attributes: open.attributes,
      children: open.hasElementChild ? withoutIndentation(open.children) : open.children,
    };
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      this.root = element;
    } else {
      parent.children.push(element);
      parent.hasElementChild = true;
    }
    return true;
  }

  /** Character data inside the root, as saxes reports it (line ends as LF, entities replaced). */
  private addText(raw: string): boolean {
    const current = this.stack[this.stack.length - 1];
    if (current === undefined || raw.includes(']]>')) return false;
    let text = raw.includes('\r') ? raw.replace(LINE_END, '\n') : raw;
    if (text.includes('&')) {
      const decoded = replaceEntities(text);
      if (decoded === undefined) return false;
      text = decoded;
    }
    current.children.push({ text });
    return true;
  }
}

/** An attribute value as saxes reports it: literal tab, CR, LF and CRLF each one space, entities replaced. */
function attributeValue(raw: string): string | undefined {
  if (raw.includes('<')) return undefined;
  const spaced = /[\t\n\r]/.test(raw) ? raw.replace(ATTRIBUTE_WHITESPACE, ' ') : raw;
  return spaced.includes('&') ? replaceEntities(spaced) : spaced;
}

/** The five predefined entities replaced; undefined when any other reference is present (character references included). */
function replaceEntities(text: string): string | undefined {
  const replaced = text.replace(PREDEFINED_ENTITY, (entity) => ENTITY_TEXT[entity] as string);
  // Every '&' the text keeps came from &amp;: count them against the original's predefined references.
  let references = 0;
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) references++;
  const matched = text.match(PREDEFINED_ENTITY)?.length ?? 0;
  return references === matched ? replaced : undefined;
}

/** Index after an ASCII NCName, optionally prefixed (`p:name`), from `start`; OUTSIDE when there is none. */
function qualifiedNameEnd(xml: string, start: number): number {
  const first = ncNameEnd(xml, start);
  if (first < 0 || xml.charCodeAt(first) !== COLON) return first;
  const second = ncNameEnd(xml, first + 1);
  return second < 0 || xml.charCodeAt(second) === COLON ? OUTSIDE : second;
}

function ncNameEnd(xml: string, start: number): number {
  const first = xml.charCodeAt(start);
  if (!isNameStart(first)) return OUTSIDE;
  let i = start + 1;
  for (;;) {
    const code = xml.charCodeAt(i);
    if (isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e) {
      i++;
      continue;
    }
    // A name character beyond ASCII: saxes knows the full tables.
    return code >= 0x80 ? OUTSIDE : i;
  }
}

function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

function skipSpace(xml: string, start: number): number {
  let i = start;
  for (;;) {
    const code = xml.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x09 && code !== 0x0d) return i;
    i++;
  }
}
