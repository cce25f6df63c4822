import { Buffer } from 'node:buffer';
import { PIDF_DIFF_NS, PIDF_NS, XMLNS_NS } from '../namespaces.js';
import { PidfError } from '../pidf-error.js';
import { defaultPidfLimits } from '../pidf-limits.js';
import type { PidfLimits } from '../pidf-limits.js';
import { PidfWriter, XML_DECLARATION } from '../render-pidf.js';
import { escapeAttribute, escapeText } from '../xml-escape.js';
import { getAttribute, isElement } from '../xml-node.js';
import type { XmlElement, XmlNode } from '../xml-node.js';
import { parseXmlTree } from '../xml-tree-parser.js';
import type { PatchOperation } from './apply-patch.js';
import type { ChildRef, PresenceChange } from './diff-presence.js';
import { PatchError } from './patch-error.js';

/** RFC 5262 §4: the media type of pidf-full and pidf-diff documents. */
export const PIDF_DIFF_CONTENT_TYPE = 'application/pidf-diff+xml';

/** An application/pidf-diff+xml body: the full state, or changes to apply to the state held. */
export type PartialPidf =
  | { readonly kind: 'full'; readonly entity: string; readonly version: number | undefined; readonly presence: XmlElement }
  | { readonly kind: 'diff'; readonly entity: string; readonly version: number | undefined; readonly operations: readonly PatchOperation[] };

/**
 * A document whose version attribute is filled in per recipient: `before`
 * + the version + `after`. The body is rendered once and shared; only the
 * number differs between watchers (RFC 5263 counts versions per subscription).
 */
export interface VersionedXml {
  readonly before: string;
  readonly after: string;
}

/**
 * Reads an RFC 5262 document: `<pidf-full>` (a presence document under
 * another root, in the pidf-diff namespace) or `<pidf-diff>` (RFC 5261
 * add, replace and remove operations). Same limits and DOCTYPE refusal as
 * PIDF (the one hardened reader).
 * @throws PidfError (400, or 413 when too large) naming the problem.
 */
export function parsePartialPidf(xml: string, limits: PidfLimits = defaultPidfLimits): PartialPidf {
  if (xml.length > limits.maxBytes || Buffer.byteLength(xml, 'utf8') > limits.maxBytes) throw new PidfError('too-large', 'pidf-diff body too large');
  const root = parseXmlTree(xml, { limits, label: 'pidf-diff', keepNamespaceDeclarations: true, checkRoot });
  const entity = getAttribute(root, 'entity');
  if (entity === undefined || entity.trim() === '') throw new PidfError('invalid', `Invalid pidf-diff: ${root.name} without entity`);
  const version = versionOf(root);
  if (root.name === 'pidf-full') {
    const presence: XmlElement = { ns: PIDF_NS, name: 'presence', attributes: [{ ns: '', name: 'entity', value: entity }], children: root.children.map(stripDeclarations).filter(isElement) };
    return { kind: 'full', entity, version, presence };
  }
  const scope = declarationsOf(root, new Map());
  const operations: PatchOperation[] = [];
  for (const child of root.children) {
    // RFC 5262's schema lets other namespaces' elements stand beside the operations; they change nothing.
    if (!isElement(child) || child.ns !== PIDF_DIFF_NS) continue;
    operations.push(operationOf(child, declarationsOf(child, scope)));
  }
  return { kind: 'diff', entity, version, operations };
}

function checkRoot(ns: string, name: string): void {
  if (ns !== PIDF_DIFF_NS || (name !== 'pidf-full' && name !== 'pidf-diff')) {
    throw new PidfError('invalid', `Invalid pidf-diff: root element is not {${PIDF_DIFF_NS}}pidf-full or pidf-diff`);
  }
}

function versionOf(root: XmlElement): number | undefined {
  const text = getAttribute(root, 'version');
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) throw new PidfError('invalid', 'Invalid pidf-diff: version is not an unsigned int');
  return Number(text);
}

function operationOf(element: XmlElement, namespaces: ReadonlyMap<string, string>): PatchOperation {
  const sel = getAttribute(element, 'sel');
  if (sel === undefined || sel.trim() === '') throw new PatchError('invalid-diff-format', `<${element.name}> without sel`);
  const content = element.children.map(stripDeclarations);
  switch (element.name) {
    case 'add': {
      const pos = getAttribute(element, 'pos');
      if (pos !== undefined && pos !== 'before' && pos !== 'after' && pos !== 'prepend') throw new PatchError('invalid-attribute-value', `pos="${pos}"`);
      const type = getAttribute(element, 'type');
      return { kind: 'add', sel, content, namespaces, ...(pos === undefined ? {} : { pos }), ...(type === undefined ? {} : { type }) };
    }
    case 'replace':
      return { kind: 'replace', sel, content, namespaces };
    case 'remove': {
      const ws = getAttribute(element, 'ws');
      if (ws !== undefined && ws !== 'before' && ws !== 'after' && ws !== 'both') throw new PatchError('invalid-attribute-value', `ws="${ws}"`);
      return { kind: 'remove', sel, namespaces, ...(ws === undefined ? {} : { ws }) };
    }
    default:
      throw new PatchError('invalid-diff-format', `<${element.name}> is not a patch operation`);
  }
}

/** The prefix bindings in scope at `element`: its parent's, overridden by its own declarations. */
function declarationsOf(element: XmlElement, inherited: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const own = element.attributes.filter((a) => a.ns === XMLNS_NS);
  if (own.length === 0) return inherited;
  const scope = new Map(inherited);
  for (const declaration of own) scope.set(declaration.name, declaration.value);
  return scope;
}

/** Declarations were kept to resolve selectors; content is data, re-declared by whoever renders it. */
function stripDeclarations(node: XmlNode): XmlNode {
  if (!isElement(node)) return node;
  return { ...node, attributes: node.attributes.filter((a) => a.ns !== XMLNS_NS), children: node.children.map(stripDeclarations) };
}

/** `<pidf-full>` (RFC 5262 §3) holding the children of a presence document. */
export function renderPidfFull(entity: string, children: readonly XmlElement[]): VersionedXml {
  const writer = new PidfWriter();
  writer.declare(PIDF_DIFF_NS);
  for (const element of children) writer.collect(element);
  const before = openRoot(writer, 'pidf-full', entity);
  if (children.length === 0) return { before, after: '"/>' };
  writer.parts.length = 0;
  for (const element of children) writer.element(element, PIDF_NS);
  return { before, after: `">${writer.parts.join('')}</${writer.prefixOf(PIDF_DIFF_NS)}:pidf-full>` };
}

/** `<pidf-diff>` (RFC 5262 §3) with the changes as RFC 5261 operations, selectors relative to the presence root. */
export function renderPidfDiff(entity: string, changes: readonly PresenceChange[]): VersionedXml {
  const writer = new PidfWriter();
  writer.declare(PIDF_DIFF_NS);
  for (const change of changes) {
    if (change.kind === 'add' || change.kind === 'replace') writer.collect(change.element);
    if (change.at !== 'root') writer.declare(change.at.ns);
    if (change.kind === 'replace' || change.kind === 'replace-text') for (const step of change.path) writer.declare(step.ns);
  }
  const before = openRoot(writer, 'pidf-diff', entity);
  const p = writer.prefixOf(PIDF_DIFF_NS);
  writer.parts.length = 0;
  for (const change of changes) {
    const below = change.kind === 'replace' || change.kind === 'replace-text' ? change.path.map((step) => `/${qualifiedName(writer, step)}[${step.position}]`).join('') : '';
    const sel = escapeAttribute(selectorOf(writer, change.at) + below);
    if (change.kind === 'remove') {
      writer.parts.push(`<${p}:remove sel="${sel}"/>`);
      continue;
    }
    if (change.kind === 'replace-text') {
      writer.parts.push(`<${p}:replace sel="${sel}/text()">${escapeText(change.text)}</${p}:replace>`);
      continue;
    }
    const pos = change.kind === 'add' && change.pos !== undefined ? ` pos="${change.pos}"` : '';
    writer.parts.push(`<${p}:${change.kind} sel="${sel}"${pos}>`);
    writer.element(change.element, PIDF_NS);
    writer.parts.push(`</${p}:${change.kind}>`);
  }
  if (changes.length === 0) return { before, after: '"/>' };
  return { before, after: `">${writer.parts.join('')}</${p}:pidf-diff>` };
}

/** Everything of the root start tag up to the version's value; PIDF is the default namespace (so PIDF names in selectors stay unprefixed). */
function openRoot(writer: PidfWriter, name: string, entity: string): string {
  const out = [XML_DECLARATION, `\n<${writer.prefixOf(PIDF_DIFF_NS)}:${name} xmlns="${PIDF_NS}"`];
  for (const [ns, prefix] of writer.prefixes) out.push(` xmlns:${prefix}="${escapeAttribute(ns)}"`);
  out.push(` entity="${escapeAttribute(entity)}" version="`);
  return out.join('');
}

/** PIDF names unprefixed (PIDF is the default namespace of the diff document), others with their declared prefix. */
function qualifiedName(writer: PidfWriter, name: { ns: string; name: string }): string {
  return name.ns === PIDF_NS ? name.name : `${writer.prefixOf(name.ns)}:${name.name}`;
}

function selectorOf(writer: PidfWriter, at: ChildRef | 'root'): string {
  if (at === 'root') return '*';
  const name = qualifiedName(writer, at);
  if (at.id === undefined) return `*/${name}[${at.position}]`;
  const quote = at.id.includes("'") ? '"' : "'";
  return `*/${name}[@id=${quote}${at.id}${quote}]`;
}

/** A versioned document with its version filled in. */
export function withVersion(document: VersionedXml, version: number): string {
  return `${document.before}${version}${document.after}`;
}
