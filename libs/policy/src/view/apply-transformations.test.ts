import fc from 'fast-check';
import { emptyPidf, getAttribute, parsePidf, renderPidf } from '@presence/pidf';
import { describe, expect, it } from 'vitest';
import { NOTHING_PROVIDED, type Transformations, combineTransformations, normalizeTransformations } from '../rules/transformations.js';
import { applyTransformations, politeBlockDocument } from './apply-transformations.js';

const PIDF = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:x="urn:example:x" entity="pres:alice@example.com">
  <tuple id="sip-work"><status><basic>open</basic><x:busy>yes</x:busy></status><rpid:class>business</rpid:class><dm:deviceID>urn:uuid:pc</dm:deviceID><contact>sip:alice@pc.example.com</contact><note>at my desk</note><timestamp>2026-06-01T12:00:00Z</timestamp></tuple>
  <tuple id="im"><status><basic>closed</basic></status><contact>im:alice@example.com</contact></tuple>
  <tuple id="home"><status><basic>open</basic></status><rpid:class>private</rpid:class><contact>sip:alice@home.example.com</contact></tuple>
  <note>presence note</note>
  <dm:person id="p1"><rpid:activities><rpid:meeting/></rpid:activities><rpid:mood><rpid:happy/></rpid:mood><rpid:user-input idle-threshold="600" last-input="2026-06-01T11:50:00Z">idle</rpid:user-input><dm:note>busy day</dm:note><dm:timestamp>2026-06-01T12:00:00Z</dm:timestamp></dm:person>
  <dm:person id="p2"><rpid:class>private</rpid:class><rpid:sphere>home</rpid:sphere></dm:person>
  <dm:device id="d1"><rpid:class>work</rpid:class><x:battery>80</x:battery><dm:deviceID>urn:uuid:pc</dm:deviceID></dm:device>
  <dm:device id="d2"><dm:deviceID>urn:uuid:phone</dm:deviceID></dm:device>
  <x:geo>somewhere</x:geo>
</presence>`;
const doc = parsePidf(PIDF);

const grant = (over: Partial<Transformations>): Transformations => normalizeTransformations({ ...NOTHING_PROVIDED, ...over });
const select = (over: Partial<Transformations['services']>): Transformations['services'] => ({ ...NOTHING_PROVIDED.services, ...over });
const ids = (elements: readonly { attributes: readonly { name: string; value: string }[] }[]): string[] => elements.map((e) => getAttribute(e as never, 'id') as string);
const view = (t: Transformations): string => renderPidf(applyTransformations(doc, t));

describe('applyTransformations', () => {
  it('view - nothing provided leaves an empty presence document of the same entity', () => {
    const none = applyTransformations(doc, NOTHING_PROVIDED);
    expect(none).toEqual({ entity: 'pres:alice@example.com', tuples: [], persons: [], devices: [], notes: [], others: [] });
    expect(renderPidf(none)).toBe(emptyPidf('pres:alice@example.com'));
  });

  it('view - all services without attributes: basic status, contact and timestamp only (RFC 5025 minimal view)', () => {
    const rendered = view(grant({ services: select({ all: true }) }));
    expect(rendered).toContain('<tuple id="sip-work"><status><basic>open</basic></status><contact>sip:alice@pc.example.com</contact><timestamp>2026-06-01T12:00:00Z</timestamp></tuple>');
    expect(rendered).not.toMatch(/busy|business|deviceID|at my desk|presence note|person|device|geo/);
    expect(ids(applyTransformations(doc, grant({ services: select({ all: true }) })).tuples)).toEqual(['sip-work', 'im', 'home']);
  });

  it('view - services by occurrence id, class, service URI and URI scheme', () => {
    const tuplesOf = (services: Partial<Transformations['services']>) => ids(applyTransformations(doc, grant({ services: select(services) })).tuples);
    expect(tuplesOf({ occurrenceIds: ['im'] })).toEqual(['im']);
    expect(tuplesOf({ classes: ['business'] })).toEqual(['sip-work']);
    expect(tuplesOf({ serviceUris: ['sip:alice@home.example.com'] })).toEqual(['home']);
    expect(tuplesOf({ serviceUriSchemes: ['sip'] })).toEqual(['sip-work', 'home']);
    expect(tuplesOf({ classes: ['nothing-has-it'] })).toEqual([]);
  });

  it('view - persons by occurrence id or class, devices by device id, occurrence id or class', () => {
    expect(ids(applyTransformations(doc, grant({ persons: select({ classes: ['private'] }) })).persons)).toEqual(['p2']);
    expect(ids(applyTransformations(doc, grant({ persons: select({ occurrenceIds: ['p1'] }) })).persons)).toEqual(['p1']);
    expect(ids(applyTransformations(doc, grant({ devices: select({ deviceIds: ['urn:uuid:phone'] }) })).devices)).toEqual(['d2']);
    expect(ids(applyTransformations(doc, grant({ devices: select({ classes: ['work'] }) })).devices)).toEqual(['d1']);
    expect(view(grant({ devices: select({ all: true }) }))).toContain('<dm:device id="d1"><dm:deviceID>urn:uuid:pc</dm:deviceID></dm:device>');
  });

  it('view - attribute permissions show exactly their elements, everywhere they occur', () => {
    const everyComponent = { services: select({ all: true }), persons: select({ all: true }), devices: select({ all: true }) };
    const moodOnly = view(grant({ ...everyComponent, attributes: ['mood'] }));
    expect(moodOnly).toContain('<rpid:mood><rpid:happy/></rpid:mood>');
    expect(moodOnly).not.toMatch(/activities|busy day|user-input|sphere|battery|geo|presence note/);
    const notes = view(grant({ ...everyComponent, attributes: ['note', 'deviceID', 'class'] }));
    expect(notes).toMatch(/at my desk.*presence note.*busy day/s);
    expect(notes).toContain('<rpid:class>business</rpid:class><dm:deviceID>urn:uuid:pc</dm:deviceID>');
    const unknown = view(grant({ ...everyComponent, unknownAttributes: [{ ns: 'urn:example:x', name: 'battery' }, { ns: 'urn:example:x', name: 'geo' }, { ns: 'urn:example:x', name: 'busy' }] }));
    expect(unknown).toMatch(/<(\w+):busy>yes<\/\1:busy>.*<\1:battery>80<\/\1:battery>.*<\1:geo>somewhere<\/\1:geo>/s);
  });

  it('view - user input at each level: bare hides the threshold and last input, thresholds only the last input', () => {
    const persons = select({ all: true });
    expect(view(grant({ persons, userInput: 'false' }))).not.toContain('user-input');
    expect(view(grant({ persons, userInput: 'bare' }))).toContain('<rpid:user-input>idle</rpid:user-input>');
    expect(view(grant({ persons, userInput: 'thresholds' }))).toContain('<rpid:user-input idle-threshold="600">idle</rpid:user-input>');
    expect(view(grant({ persons, userInput: 'full' }))).toContain('<rpid:user-input idle-threshold="600" last-input="2026-06-01T11:50:00Z">idle</rpid:user-input>');
  });

  it('view - provide-all-attributes with all components is the whole document', () => {
    const all = select({ all: true });
    expect(view(grant({ services: all, persons: all, devices: all, allAttributes: true }))).toBe(renderPidf(doc));
  });

  it('view - the polite-block document is the offline one: what the agent sends for a presentity with no publication', () => {
    expect(politeBlockDocument('sip:alice@example.com')).toBe(emptyPidf('sip:alice@example.com'));
    expect(parsePidf(politeBlockDocument('sip:alice@example.com'))).toEqual({ entity: 'sip:alice@example.com', tuples: [], persons: [], devices: [], notes: [], others: [] });
  });

  it('view property - the view of combined transformations holds exactly the components either view holds', () => {
    const arbSelection = fc.record({ all: fc.boolean(), occurrenceIds: fc.subarray(['sip-work', 'im', 'home', 'p1', 'p2', 'd1', 'd2']), classes: fc.subarray(['business', 'private', 'work']), deviceIds: fc.subarray(['urn:uuid:pc', 'urn:uuid:phone']), serviceUris: fc.subarray(['im:alice@example.com']), serviceUriSchemes: fc.subarray(['sip', 'im']) });
    const arbT = fc.record({ services: arbSelection, persons: arbSelection, devices: arbSelection, allAttributes: fc.boolean(), attributes: fc.subarray(['mood', 'note', 'class'] as const) }).map((t) => grant({ ...t, attributes: [...t.attributes] }));
    fc.assert(
      fc.property(arbT, arbT, (a, b) => {
        const both = applyTransformations(doc, combineTransformations(a, b));
        const one = applyTransformations(doc, a);
        const other = applyTransformations(doc, b);
        for (const kind of ['tuples', 'persons', 'devices'] as const) {
          expect(new Set(ids(both[kind]))).toEqual(new Set([...ids(one[kind]), ...ids(other[kind])]));
        }
        expect(() => parsePidf(renderPidf(both))).not.toThrow();
      }),
    );
  });
});
