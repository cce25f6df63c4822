import { applyMutations, fuzzAssert, mutations, pidfDocument } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIDF_NS, XML_NS, XMLNS_NS } from './namespaces.js';
import { XmlDocumentError } from './pidf-error.js';
import { defaultPidfLimits, type PidfLimits } from './pidf-limits.js';
import { readSimpleXml } from './simple-xml-reader.js';
import { parseXmlTree, readWithSaxes, type TreeParseOptions } from './xml-tree-parser.js';

/**
 * The fast reader is exact or silent: whatever it reads, saxes reads into
 * the same tree, and parseXmlTree (fast reader, then saxes) accepts and
 * refuses exactly what saxes alone does, with the same reason.
 */
type Outcome = { readonly tree: unknown } | { readonly refused: string; readonly kind: string };

function outcome(read: () => unknown): Outcome {
  try {
    return { tree: read() };
  } catch (error) {
    expect(error).toBeInstanceOf(XmlDocumentError);
    return { refused: (error as XmlDocumentError).reason, kind: (error as XmlDocumentError).kind };
  }
}

function expectSameAsSaxes(xml: string, options: TreeParseOptions): void {
  const bySaxes = outcome(() => readWithSaxes(xml, options));
  const fast = readSimpleXml(xml, options);
  if (fast !== undefined) expect(bySaxes, xml).toEqual({ tree: fast });
  expect(outcome(() => parseXmlTree(xml, options)), xml).toEqual(bySaxes);
}

const pidfOnly = (ns: string, name: string): void => {
  if (ns !== PIDF_NS || name !== 'presence') throw new XmlDocumentError('invalid', 'not presence');
};
const FLOOD_BODY = `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="${PIDF_NS}" entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></tuple></presence>\r\n`;

// Counts, not time, bound the properties: the timeout only keeps a busy machine from failing them.
describe('simple XML reader', { timeout: 60_000 }, () => {
  it('simple xml - reads a typical PUBLISH body itself, as saxes would', () => {
    const options = { limits: defaultPidfLimits, checkRoot: pidfOnly };
    const tree = readSimpleXml(FLOOD_BODY, options);
    expect(tree).toBeDefined();
    expect(tree).toEqual(readWithSaxes(FLOOD_BODY, options));
    const rich = `<?xml version='1.0' standalone="yes"?>
      <p:presence xmlns:p="${PIDF_NS}" xmlns:x="urn:x" entity='pres:a@b'>
        <p:tuple id="t1"><p:status><p:basic>open</p:basic></p:status><x:e x:a="1 &lt;2&gt;" b="&quot;&apos;&amp;">a &amp; b]]</x:e></p:tuple>
        <p:note xml:lang="en">line one\r\nline two\rthree</p:note>
        <empty/><spaced a = "tab\there\r\nnext" ></spaced >
      </p:presence>`;
    expect(readSimpleXml(rich, options)).toBeDefined();
    expectSameAsSaxes(rich, options);
    expectSameAsSaxes(rich, { ...options, keepNamespaceDeclarations: true });
  });

  it('simple xml - leaves to saxes what is outside its subset, so saxes reads or refuses it', () => {
    const body = (inner: string, prolog = '') => `${prolog}<presence xmlns="${PIDF_NS}" entity="sip:a@b">${inner}</presence>`;
    const outside = [
      body('<!-- comment -->'),
      body('<![CDATA[x]]>'),
      body('&#65;'),
      body('&nbsp;'),
      body('a ]]> b'),
      body('<x xmlns=""/>'),
      body('<x xmlns:p=" urn:p "/>'),
      body('<x xmlns:xml="http://www.w3.org/XML/1998/namespace"/>'),
      body('<q:x/>'),
      body('<x a="1" a="2"/>'),
      body('<x xmlns:p="urn:a" xmlns:q="urn:a" p:a="1" q:a="2"/>'),
      body('<x a="1"b="2"/>'),
      body('<x a="<"/>'),
      body('é<\u00e9lément/>'),
      body('😀'),
      body('', '<?xml version="1.1"?>'),
      body('', '<!DOCTYPE presence>'),
      body('', '\ufeff'),
      body('', '<?pi?>'),
      `${body('')}<!-- after -->`,
      `${body('')}x`,
      body('<x>'),
      '',
    ];
    for (const xml of outside) {
      expect(readSimpleXml(xml, { limits: defaultPidfLimits }), xml).toBeUndefined();
      expectSameAsSaxes(xml, { limits: defaultPidfLimits });
    }
  });

  it('simple xml - a limit reached or a wrong root is saxes\'s refusal, with its reason', () => {
    const limits: PidfLimits = { ...defaultPidfLimits, maxDepth: 2, maxElements: 3, maxAttributes: 1 };
    for (const xml of [
      `<presence xmlns="${PIDF_NS}"><a><b/></a></presence>`,
      `<presence xmlns="${PIDF_NS}"><a/><b/><c/></presence>`,
      `<presence xmlns="${PIDF_NS}" entity="x"/>`,
      '<other/>',
    ]) {
      expect(readSimpleXml(xml, { limits, checkRoot: pidfOnly }), xml).toBeUndefined();
      expect(outcome(() => parseXmlTree(xml, { limits, checkRoot: pidfOnly }))).toHaveProperty('refused');
      expectSameAsSaxes(xml, { limits, checkRoot: pidfOnly });
    }
  });

  const token = fc.constantFrom(
    '<a', '<p:a', '<b', '<q:b', '>', '/>', '</a>', '</p:a>', '</b>', '</q:b>', '</a >', ' ', '\t', '\r\n', '\r', '\n',
    ' x="1"', " y='&lt;v&gt;'", ' x="a\tb\r\nc"', ' p:x="2"', ' xml:lang="en"', ' xmlns="urn:a"', ` xmlns="${PIDF_NS}"`, ' xmlns:p="urn:p"', ' xmlns:q="urn:p"',
    ' xmlns=""', ' xmlns:p=""', ' xmlns:xml="urn:x"', ` xmlns:p="${XML_NS}"`, ` xmlns:p="${XMLNS_NS}"`, ' entity="sip:a@b"', ' id="i"',
    'text', 'é', '&amp;', '&lt;', '&quot;', '&#65;', '&#x0;', '&bogus;', '&', ']]>', ']]', '<!-- c -->', '<![CDATA[c]]>', '<?pi x?>', '"', "'", '=', ':', '<', '\u0001', '\ud83d\ude00', '\ufffe',
  );
  const prolog = fc.constantFrom('', '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-8'?>\r\n", '<?xml version="1.0" encoding="utf-8" standalone="no" ?>', '<?xml version="1.1"?>', '<?xml encoding="UTF-8"?>', ' <?xml version="1.0"?>', '<?xml version="1.0"encoding="x"?>', '<!DOCTYPE a>');
  const treeOptions = fc.record({
    limits: fc.constantFrom(defaultPidfLimits, { ...defaultPidfLimits, maxDepth: 3, maxElements: 4, maxAttributes: 2 }),
    keepNamespaceDeclarations: fc.boolean(),
    checkRoot: fc.constantFrom(undefined, pidfOnly),
  });
  const wellNested = fc
    .array(fc.tuple(fc.constantFrom('a', 'p:a', 'b'), fc.array(token.filter((t) => t.startsWith(' ')), { maxLength: 3 }), fc.array(token, { maxLength: 2 })), { minLength: 1, maxLength: 5 })
    .map((levels) => {
      const names = levels.map(([name]) => name);
      return levels.map(([name, attributes, text]) => `<${name}${attributes.join('')}>${text.join('')}`).join('') + names.reverse().map((name) => `</${name}>`).join('');
    });

  it('fuzz - token soup: parseXmlTree accepts and refuses exactly what saxes does, with the same tree or reason', () => {
    fuzzAssert(
      'simple xml reader against saxes, token soup',
      fc.property(prolog, fc.oneof(wellNested, fc.array(token, { maxLength: 30 }).map((t) => t.join(''))), fc.array(fc.constantFrom(' ', '\r\n', '<!-- -->', 'x'), { maxLength: 2 }), treeOptions, (head, doc, tail, options) => {
        expectSameAsSaxes(`${head}${doc}${tail.join('')}`, options);
      }),
      3903,
      3000,
    );
  });

  it('fuzz - generated and damaged PIDF documents: the same outcome as saxes alone', () => {
    const snippet = fc.constantFrom('<', '>', '&', '&lt;', '&#0;', '<![CDATA[', ']]>', '<!--', '<?pi x?>', '\r', '\r\n', '\t', ' ', 'xmlns=""', 'xmlns:p="urn:x"', '<p:x/>', '="', "'", ':', '\u0000', '\ud800');
    fuzzAssert(
      'simple xml reader against saxes, pidf documents',
      fc.property(pidfDocument, mutations(4, 3_000), fc.array(fc.tuple(fc.nat(), snippet), { maxLength: 3 }), fc.boolean(), (written, damage, inserts, damaged) => {
        let xml = damaged ? applyMutations(Buffer.from(written.xml, 'utf8'), damage).toString('utf8') : written.xml;
        for (const [at, text] of inserts) xml = xml.slice(0, at % (xml.length + 1)) + text + xml.slice(at % (xml.length + 1));
        expectSameAsSaxes(xml, { limits: defaultPidfLimits, checkRoot: pidfOnly });
      }),
      3863,
      1500,
    );
  });
});
