import type { PidfDocument, XmlElement, XmlNode } from '@presence/pidf';
import * as fc from 'fast-check';

/**
 * Generated PIDF documents (RFC 3863, RFC 4479 data model, RFC 4480 RPID,
 * extension namespaces) with the element tree a namespace-aware parser must
 * read from them. Prefixes, declarations and indentation vary; the tree
 * does not depend on them.
 */
export const PIDF = 'urn:ietf:params:xml:ns:pidf';
const DATA_MODEL = 'urn:ietf:params:xml:ns:pidf:data-model';
const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';
const XML = 'http://www.w3.org/XML/1998/namespace';
const EXTENSIONS = ['urn:example:fuzz', 'urn:ietf:params:xml:ns:pidf:caps', 'http://example.com/x?a=1&b="2"'];

/** A document as written, and what parsePidf must read from it. */
export interface GeneratedPidf extends PidfDocument {
  readonly xml: string;
}

const chars = (set: string) => fc.constantFrom(...set.split(''));
const ncName = fc
  .tuple(chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_'), fc.string({ unit: chars('abcxyzABC019-_.'), maxLength: 8 }))
  .map(([first, rest]) => first + rest);
/** Text as XML carries it: no control characters but tab and LF (a CR would come back as LF). */
export const xmlText = fc.string({ unit: fc.oneof({ weight: 6, arbitrary: chars('ab yz09<>&"\'\t\n;]') }, { weight: 1, arbitrary: fc.constantFrom('é', '漢', '😀', ']]>', '&amp;') }), maxLength: 30 });
const id = fc.string({ unit: chars('abcdef0123456789-_'), minLength: 1, maxLength: 8 }).map((s) => `i${s}`);
const attributes = fc
  .uniqueArray(fc.tuple(ncName, xmlText), { maxLength: 3, selector: ([n]) => n })
  .map((list) => list.filter(([n]) => n !== 'id' && n !== 'xmlns').map(([name, value]) => ({ ns: '', name, value })));

const leaf = (ns: string, name: fc.Arbitrary<string>) =>
  fc.record({ name, attributes, text: xmlText }).map(({ name: n, attributes: a, text }): XmlElement => ({ ns, name: n, attributes: a, children: text === '' ? [] : [{ text }] }));
const extension = fc.constantFrom(...EXTENSIONS).chain((ns) => leaf(ns, ncName));
const note = fc
  .tuple(xmlText, fc.option(fc.constantFrom('en', 'fr', 'de-CH'), { nil: undefined }))
  .map(([text, lang]): XmlElement => ({ ns: PIDF, name: 'note', attributes: lang === undefined ? [] : [{ ns: XML, name: 'lang', value: lang }], children: text === '' ? [] : [{ text }] }));
const element = (ns: string, name: string, children: readonly XmlNode[], attrs: XmlElement['attributes'] = []): XmlElement => ({ ns, name, attributes: attrs, children });

const tuple = (tupleId: string) =>
  fc
    .record({
      basic: fc.constantFrom('open', 'closed'),
      contact: fc.option(fc.constant('sip:someone@example.com'), { nil: undefined }),
      notes: fc.array(note, { maxLength: 2 }),
      extensions: fc.array(extension, { maxLength: 2 }),
    })
    .map(({ basic, contact, notes, extensions }) =>
      element(PIDF, 'tuple', [
        element(PIDF, 'status', [element(PIDF, 'basic', [{ text: basic }])]),
        ...extensions,
        ...(contact === undefined ? [] : [element(PIDF, 'contact', [{ text: contact }])]),
        ...notes,
      ], [{ ns: '', name: 'id', value: tupleId }]),
    );
const person = (personId: string) =>
  fc
    .array(fc.constantFrom('away', 'busy', 'on-the-phone', 'meal'), { maxLength: 2 })
    .map((activities) =>
      element(DATA_MODEL, 'person', activities.length === 0 ? [] : [element(RPID, 'activities', activities.map((a) => element(RPID, a, [])))], [{ ns: '', name: 'id', value: personId }]),
    );
const device = (deviceId: string) =>
  fc.constant(element(DATA_MODEL, 'device', [element(DATA_MODEL, 'deviceID', [{ text: `urn:uuid:${deviceId}` }])], [{ ns: '', name: 'id', value: deviceId }]));

const ids = (max: number) => fc.uniqueArray(id, { maxLength: max });

/** How one element is written: its own default namespace, a prefix, or its parent's declarations where they fit. */
type Style = 'default' | 'prefixed' | 'inherit';

export const pidfDocument: fc.Arbitrary<GeneratedPidf> = fc
  .record({
    entity: fc.constantFrom('pres:alice@example.com', 'sip:bob@example.com', 'sip:a&b@example.com'),
    tupleIds: ids(4),
    personIds: ids(2),
    deviceIds: ids(2),
    notes: fc.array(note, { maxLength: 2 }),
    others: fc.array(extension, { maxLength: 2 }),
    styles: fc.infiniteStream(fc.constantFrom<Style>('default', 'prefixed', 'inherit')),
    indent: fc.constantFrom('', '\n  '),
  })
  .chain((r) =>
    fc
      .tuple(fc.tuple(...r.tupleIds.map(tuple)), fc.tuple(...r.personIds.map(person)), fc.tuple(...r.deviceIds.map(device)))
      .map(([tuples, persons, devices]) => {
        const styles = r.styles[Symbol.iterator]();
        const children = [...tuples, ...r.notes, ...persons, ...devices, ...r.others];
        const next = { prefix: 0 };
        const body = children.map((child) => writeElement(child, { ns: PIDF, prefix: '' }, styles, r.indent, next)).join('');
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${PIDF}" entity="${escape(r.entity)}">${body}${r.indent}</presence>`;
        return { xml, entity: r.entity, tuples, notes: r.notes, persons, devices, others: r.others };
      }),
  );

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
/** Writes `element` in `scope` (the namespace and prefix its parent was written with); `next` numbers new prefixes. */
function writeElement(element: XmlElement, scope: { ns: string; prefix: string }, styles: Iterator<Style>, indent: string, next = { prefix: 0 }): string {
  let style = styles.next().value as Style;
  if (style === 'inherit' && element.ns !== scope.ns) style = 'default';
  const prefix = style === 'prefixed' ? `p${++next.prefix % 7}` : style === 'default' ? '' : scope.prefix;
  const qname = prefix === '' ? element.name : `${prefix}:${element.name}`;
  const declaration = style === 'inherit' ? '' : prefix === '' ? ` xmlns="${escape(element.ns)}"` : ` xmlns:${prefix}="${escape(element.ns)}"`;
  const attrs = element.attributes.map((a) => ` ${a.ns === XML ? 'xml:' : ''}${a.name}="${escape(a.value)}"`).join('');
  const inner = element.children
    .map((child) => ('text' in child ? child.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : writeElement(child, { ns: element.ns, prefix }, styles, indent, next)))
    .join('');
  const close = element.children.some((child) => !('text' in child)) ? indent : '';
  return inner === '' ? `${indent}<${qname}${declaration}${attrs}/>` : `${indent}<${qname}${declaration}${attrs}>${inner}${close}</${qname}>`;
}
