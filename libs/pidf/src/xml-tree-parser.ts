import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import { PidfError } from './pidf-error.js';
import type { PidfLimits } from './pidf-limits.js';
import { XMLNS_NS } from './namespaces.js';
import type { XmlAttribute, XmlElement, XmlNode } from './xml-node.js';
import { readSimpleXml } from './simple-xml-reader.js';
import { withoutIndentation } from './xml-whitespace.js';

/** An element still being read; frozen into an XmlElement at its end tag. */
interface OpenElement {
  readonly ns: string;
  readonly name: string;
  readonly attributes: XmlAttribute[];
  readonly children: XmlNode[];
  hasElementChild: boolean;
}

export interface TreeParseOptions {
  readonly limits: PidfLimits;
  /** Called on the root start tag, so a wrong document is refused before its body is read. */
  readonly checkRoot?: (ns: string, name: string) => void;
  /** What the document is called in error reasons ("Malformed <label>: ..."); default PIDF. */
  readonly label?: string;
  /**
   * Keep namespace declarations as attributes in XMLNS_NS (name: the prefix,
   * '' for the default namespace): an RFC 5261 patch resolves the prefixes of
   * its selectors against the declarations in scope.
   */
  readonly keepNamespaceDeclarations?: boolean;
}

/**
 * Parses well-formed, namespace-aware XML into an element tree: the one
 * hardened XML reader of the code base (PIDF here, pres-rules and
 * watcherinfo in libs/policy), so every XML input gets the same limits.
 *
 * Safety: saxes never reads the DTD internal subset, but we go further and
 * refuse any DOCTYPE outright, which is what stops entity-expansion bombs
 * and external entities before any of them is declared. Limits are
 * enforced from the SAX events, by throwing from the handler, so the parser
 * stops at the first excess instead of building an unbounded tree.
 *
 * Plain documents are read by readSimpleXml into the very tree saxes
 * would give; saxes reads the rest and judges every refusal.
 */
export function parseXmlTree(xml: string, options: TreeParseOptions): XmlElement {
  return readSimpleXml(xml, options) ?? readWithSaxes(xml, options);
}

/** parseXmlTree without its fast path: every document saxes reads, and the judge of every refusal. */
export function readWithSaxes(xml: string, options: TreeParseOptions): XmlElement {
  const { limits, checkRoot } = options;
  const label = options.label ?? 'PIDF';
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let elementCount = 0;
  let attributeCount = 0;

  parser.on('doctype', () => {
    throw new PidfError('malformed', `Malformed ${label}: DOCTYPE not allowed`);
  });
  parser.on('opentagstart', () => {
    elementCount += 1;
    if (elementCount > limits.maxElements) {
      throw new PidfError('limit', `Malformed ${label}: too many elements`);
    }
    if (stack.length + 1 > limits.maxDepth) {
      throw new PidfError('limit', `Malformed ${label}: nesting too deep`);
    }
    attributeCount = 0;
  });
  parser.on('attribute', () => {
    attributeCount += 1;
    if (attributeCount > limits.maxAttributes) {
      throw new PidfError('limit', `Malformed ${label}: too many attributes`);
    }
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (stack.length === 0 && checkRoot !== undefined) checkRoot(tag.uri, tag.local);
    stack.push({
      ns: tag.uri,
      name: tag.local,
      attributes: collectAttributes(tag, options.keepNamespaceDeclarations === true),
      children: [],
      hasElementChild: false,
    });
  });
  parser.on('closetag', () => {
    const open = stack.pop();
    if (open === undefined) return;
    const children = open.hasElementChild ? withoutIndentation(open.children) : open.children;
    const element: XmlElement = {
      ns: open.ns,
      name: open.name,
      attributes: open.attributes,
      children,
    };
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      root = element;
    } else {
      parent.children.push(element);
      parent.hasElementChild = true;
    }
  });
  const onText = (text: string): void => {
    const current = stack[stack.length - 1];
    // Outside the root saxes already fails on non-whitespace text.
    if (current === undefined || text.length === 0) return;
    const last = current.children[current.children.length - 1];
    if (last !== undefined && 'text' in last) {
      current.children[current.children.length - 1] = { text: last.text + text };
    } else {
      current.children.push({ text });
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  try {
    parser.write(xml);
    parser.close();
  } catch (error) {
    if (error instanceof PidfError) throw error;
    throw saxesFailure(error, label);
  }
  if (root === undefined) {
    throw new PidfError('malformed', `Malformed ${label}: not well-formed XML`);
  }
  return root;
}

function collectAttributes(tag: SaxesTagNS, keepDeclarations: boolean): XmlAttribute[] {
  const out: XmlAttribute[] = [];
  for (const key in tag.attributes) {
    const attribute = tag.attributes[key];
    if (attribute === undefined) continue;
    // Namespace declarations are syntax, not data; the renderer re-creates them.
    if (attribute.uri === XMLNS_NS || attribute.name === 'xmlns') {
      if (keepDeclarations) out.push({ ns: XMLNS_NS, name: attribute.name === 'xmlns' ? '' : attribute.local, value: attribute.value });
      continue;
    }
    out.push({ ns: attribute.uri, name: attribute.local, value: attribute.value });
  }
  return out;
}

function saxesFailure(error: unknown, label: string): PidfError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('undefined entity')) {
    return new PidfError('malformed', `Malformed ${label}: undefined entity reference`, {
      cause: error,
    });
  }
  return new PidfError('malformed', `Malformed ${label}: not well-formed XML`, { cause: error });
}
