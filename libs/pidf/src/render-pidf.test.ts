import { describe, expect, it } from 'vitest';
import { PIDF_NS } from './namespaces.js';
import { parsePidf } from './parse-pidf.js';
import type { PidfDocument } from './pidf-document.js';
import { renderPidf } from './render-pidf.js';

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>';

// Adapted from the combined RPID / data-model example of RFC 4480 (which
// builds on the RFC 4479 person/device/service model).
const RPID_EXAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"
    xmlns:caps="urn:ietf:params:xml:ns:pidf:caps"
    entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status><basic>open</basic></status>
    <caps:servcaps><caps:audio>true</caps:audio></caps:servcaps>
    <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
    <r:relationship><r:self/></r:relationship>
    <r:service-class><r:electronic/></r:service-class>
    <contact priority="0.8">im:someone@mobilecarrier.net</contact>
    <note xml:lang="en">Don't Disturb Please!</note>
    <note xml:lang="fr">Ne dérangez pas, s'il vous plaît</note>
    <timestamp>2005-10-27T16:49:29Z</timestamp>
  </tuple>
  <note>Fallback note</note>
  <dm:person id="p1">
    <r:activities from="2005-05-30T12:00:00+05:00" until="2005-05-30T17:00:00+05:00">
      <r:note>Far away</r:note>
      <r:away/>
    </r:activities>
    <r:class>calendar</r:class>
    <r:mood><r:angry/><r:other>brooding</r:other></r:mood>
    <r:place-is><r:audio><r:noisy/></r:audio></r:place-is>
    <r:privacy><r:unknown/></r:privacy>
    <r:sphere>bowling league</r:sphere>
    <r:status-icon>http://example.com/mail.png</r:status-icon>
    <r:time-offset>-240</r:time-offset>
    <dm:note>Scoring 120</dm:note>
    <dm:timestamp>2005-05-30T16:09:44+05:00</dm:timestamp>
  </dm:person>
  <dm:device id="pc122">
    <r:user-input>idle</r:user-input>
    <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
    <dm:note>PC</dm:note>
  </dm:device>
</presence>`;

// Unknown namespaces, an unqualified element holding PIDF elements again,
// qualified attributes in several namespaces and xml:lang.
const MIXED_EXAMPLE = `<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="sip:bob@example.com">
  <p:tuple id="t1" xmlns:a="urn:example:a">
    <p:status><p:basic>closed</p:basic><a:extended a:level="3" plain="x">busy</a:extended></p:status>
    <a:meta xmlns:b="urn:example:b" b:flag="yes" p:odd="pidf-qualified"><b:inner>deep</b:inner></a:meta>
    <unqualified xmlns="" kind="raw"><p:note xml:lang="de">Grüße</p:note><child/></unqualified>
  </p:tuple>
  <b:top xmlns:b="urn:example:b">after</b:top>
</p:presence>`;

describe('pidf render', () => {
  it('pidf render - writes compact XML with the PIDF default namespace', () => {
    const doc = parsePidf(`<?xml version="1.0"?>
      <presence xmlns="${PIDF_NS}" entity="pres:a@example.com">
        <tuple id="t1">
          <status>
            <basic>open</basic>
          </status>
        </tuple>
      </presence>`);
    expect(renderPidf(doc)).toBe(
      `${HEADER}\n<presence xmlns="${PIDF_NS}" entity="pres:a@example.com">` +
        '<tuple id="t1"><status><basic>open</basic></status></tuple></presence>',
    );
  });

  it('pidf render - round trips the RFC 4479/4480 RPID example', () => {
    const doc = parsePidf(RPID_EXAMPLE);
    const xml = renderPidf(doc);
    expect(parsePidf(xml)).toEqual(doc);
    expect(renderPidf(parsePidf(xml))).toBe(xml);
    expect(xml).toContain(
      ' xmlns:c="urn:ietf:params:xml:ns:pidf:caps" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"' +
        ' xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity=',
    );
    expect(xml).toContain('<rpid:activities from="2005-05-30T12:00:00+05:00"');
    expect(xml).toContain('<note xml:lang="fr">Ne dérangez pas, s\'il vous plaît</note>');
    // Order is tuples, notes, persons, devices (RFC 3863 §4.1.1).
    expect(xml.indexOf('<note>Fallback')).toBeLessThan(xml.indexOf('<dm:person'));
    expect(xml.indexOf('<dm:person')).toBeLessThan(xml.indexOf('<dm:device id='));
  });

  it('pidf render - round trips mixed namespaces with generated prefixes', () => {
    const doc = parsePidf(MIXED_EXAMPLE);
    const xml = renderPidf(doc);
    expect(parsePidf(xml)).toEqual(doc);
    expect(xml).toContain(
      `<presence xmlns="${PIDF_NS}" xmlns:ns1="urn:example:a" xmlns:ns2="urn:example:b"` +
        ` xmlns:pidf="${PIDF_NS}" entity="sip:bob@example.com">`,
    );
    expect(xml).toContain('<ns1:extended ns1:level="3" plain="x">busy</ns1:extended>');
    expect(xml).toContain('<ns1:meta ns2:flag="yes" pidf:odd="pidf-qualified">');
    expect(xml).toContain(
      `<unqualified xmlns="" kind="raw"><note xmlns="${PIDF_NS}" xml:lang="de">Grüße</note><child/></unqualified>`,
    );
    expect(xml).toContain('<ns2:top>after</ns2:top>');
  });

  it('pidf render - escapes text and attribute values', () => {
    const doc: PidfDocument = {
      entity: 'pres:a&b"<c>@example.com',
      tuples: [],
      persons: [],
      devices: [],
      notes: [
        {
          ns: PIDF_NS,
          name: 'note',
          attributes: [{ ns: '', name: 'x', value: 'q"<&>\t\n\r end' }],
          children: [{ text: 'a < b && c > d ]]> \r\n\t\u0001\u0085 😀' }],
        },
      ],
      others: [],
    };
    const xml = renderPidf(doc);
    expect(xml).toContain('entity="pres:a&amp;b&quot;&lt;c&gt;@example.com"');
    expect(xml).toContain('x="q&quot;&lt;&amp;&gt;&#9;&#10;&#13; end"');
    expect(xml).toContain('>a &lt; b &amp;&amp; c &gt; d ]]&gt; &#13;\n\t\uFFFD&#133; 😀</note>');
    const reparsed = parsePidf(xml);
    expect(reparsed.entity).toBe(doc.entity);
    expect(reparsed.notes[0]!.attributes).toEqual(doc.notes[0]!.attributes);
    expect(reparsed.notes[0]!.children).toEqual([
      { text: 'a < b && c > d ]]> \r\n\t\uFFFD\u0085 😀' },
    ]);
  });

  it('pidf render - renders an empty document as a self-closing root', () => {
    const doc = parsePidf(`<presence xmlns="${PIDF_NS}" entity="pres:a@example.com"></presence>`);
    expect(renderPidf(doc)).toBe(`${HEADER}\n<presence xmlns="${PIDF_NS}" entity="pres:a@example.com"/>`);
  });

  it('pidf render - is deterministic across renders', () => {
    const doc = parsePidf(MIXED_EXAMPLE);
    expect(renderPidf(doc)).toBe(renderPidf(doc));
  });
});
