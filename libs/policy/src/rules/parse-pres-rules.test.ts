import { describe, expect, it } from 'vitest';
import { PolicyError } from '../policy-error.js';
import { parsePresRules } from './parse-pres-rules.js';
import { NOTHING_PROVIDED } from './transformations.js';

const doc = (rules: string, extraNs = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules"${extraNs}>${rules}</cr:ruleset>`;

const refusal = (xml: string): PolicyError => {
  try {
    parsePresRules(xml);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
};

describe('parsePresRules', () => {
  it('pres-rules parse - the RFC 5025 §7 example: identity, sub-handling and every provide-* form', () => {
    const ruleset = parsePresRules(
      doc(`
  <cr:rule id="a">
    <cr:conditions>
      <cr:identity><cr:one id="sip:User1@Example.COM"/><cr:many domain="Example.org"><cr:except id="sip:boss@example.org"/><cr:except domain="x.example.org"/></cr:many></cr:identity>
      <cr:sphere value="work"/>
      <cr:validity><cr:from>2026-01-01T00:00:00Z</cr:from><cr:until>2027-01-01T00:00:00+01:00</cr:until></cr:validity>
    </cr:conditions>
    <cr:actions><pr:sub-handling> allow </pr:sub-handling></cr:actions>
    <cr:transformations>
      <pr:provide-services><pr:service-uri-scheme>SIP</pr:service-uri-scheme><pr:class>business</pr:class><pr:occurrence-id>t1</pr:occurrence-id><pr:service-uri>im:alice@example.com</pr:service-uri></pr:provide-services>
      <pr:provide-persons><pr:all-persons/></pr:provide-persons>
      <pr:provide-devices><pr:deviceID>urn:uuid:d1</pr:deviceID></pr:provide-devices>
      <pr:provide-activities>true</pr:provide-activities>
      <pr:provide-mood>false</pr:provide-mood>
      <pr:provide-user-input>bare</pr:provide-user-input>
      <pr:provide-unknown-attribute ns="urn:example:x" name="foo">true</pr:provide-unknown-attribute>
    </cr:transformations>
  </cr:rule>`),
    );
    expect(ruleset.rules).toHaveLength(1);
    const rule = ruleset.rules[0];
    expect(rule?.id).toBe('a');
    expect(rule?.subHandling).toBe('allow');
    expect(rule?.conditions).toEqual({
      identity: [{ ids: ['sip:User1@example.com'], many: [{ domain: 'example.org', exceptDomains: ['x.example.org'], exceptIds: ['sip:boss@example.org'] }] }],
      sphere: ['work'],
      validity: [{ intervals: [{ from: Date.parse('2026-01-01T00:00:00Z'), until: Date.parse('2026-12-31T23:00:00Z') }] }],
      unsupported: false,
    });
    expect(rule?.transformations).toEqual({
      services: { all: false, occurrenceIds: ['t1'], classes: ['business'], deviceIds: [], serviceUris: ['im:alice@example.com'], serviceUriSchemes: ['sip'] },
      persons: { all: true, occurrenceIds: [], classes: [], deviceIds: [], serviceUris: [], serviceUriSchemes: [] },
      devices: { all: false, occurrenceIds: [], classes: [], deviceIds: ['urn:uuid:d1'], serviceUris: [], serviceUriSchemes: [] },
      allAttributes: false,
      attributes: ['activities'],
      userInput: 'bare',
      unknownAttributes: [{ ns: 'urn:example:x', name: 'foo' }],
    });
  });

  it('pres-rules parse - an empty ruleset and a rule with nothing in it', () => {
    expect(parsePresRules(doc(''))).toEqual({ rules: [] });
    const [rule] = parsePresRules(doc('<cr:rule id="empty"/>')).rules;
    expect(rule).toEqual({ id: 'empty', conditions: { identity: [], sphere: [], validity: [], unsupported: false }, transformations: NOTHING_PROVIDED });
  });

  it('pres-rules parse - unknown actions, transformations and top-level elements are ignored; an unknown condition marks the rule unsupported', () => {
    const ruleset = parsePresRules(
      doc(
        `<x:extension/><cr:rule id="r"><cr:conditions><x:location/></cr:conditions><cr:actions><x:forward/><pr:sub-handling>block</pr:sub-handling></cr:actions><cr:transformations><x:blur/><pr:provide-all-attributes/></cr:transformations></cr:rule>`,
        ' xmlns:x="urn:example:ext"',
      ),
    );
    expect(ruleset.rules[0]?.conditions.unsupported).toBe(true);
    expect(ruleset.rules[0]?.subHandling).toBe('block');
    expect(ruleset.rules[0]?.transformations.allAttributes).toBe(true);
  });

  it('pres-rules parse - a <many> without domain matches every domain; a non-SIP identity is kept as written', () => {
    const [rule] = parsePresRules(doc('<cr:rule id="r"><cr:conditions><cr:identity><cr:many/><cr:one id="tel:+15551234"/></cr:identity></cr:conditions></cr:rule>')).rules;
    expect(rule?.conditions.identity).toEqual([{ ids: ['tel:+15551234'], many: [{ exceptDomains: [], exceptIds: [] }] }]);
  });

  it('pres-rules parse - refuses what evaluation cannot rely on, naming the problem', () => {
    expect(refusal(doc('<cr:rule/>')).reason).toBe('Invalid pres-rules: rule without id');
    expect(refusal(doc('<cr:rule id="a"/><cr:rule id="a"/>')).reason).toBe('Invalid pres-rules: duplicate rule id "a"');
    expect(refusal(doc('<cr:rule id="a"><cr:actions><pr:sub-handling>maybe</pr:sub-handling></cr:actions></cr:rule>')).reason).toMatch(/sub-handling must be block, confirm, polite-block or allow/);
    expect(refusal(doc('<cr:rule id="a"><cr:conditions><cr:identity><cr:one/></cr:identity></cr:conditions></cr:rule>')).reason).toMatch(/<one> without id/);
    expect(refusal(doc('<cr:rule id="a"><cr:conditions><cr:identity><cr:many><cr:except/></cr:many></cr:identity></cr:conditions></cr:rule>')).reason).toMatch(/exactly one of domain and id/);
    expect(refusal(doc('<cr:rule id="a"><cr:conditions><cr:sphere/></cr:conditions></cr:rule>')).reason).toMatch(/<sphere> without value/);
    expect(refusal(doc('<cr:rule id="a"><cr:conditions><cr:validity><cr:from>2026-01-01T00:00:00Z</cr:from></cr:validity></cr:conditions></cr:rule>')).reason).toMatch(/pairs/);
    expect(refusal(doc('<cr:rule id="a"><cr:conditions><cr:validity><cr:from>tomorrow</cr:from><cr:until>2027-01-01T00:00:00Z</cr:until></cr:validity></cr:conditions></cr:rule>')).reason).toMatch(/not an xs:dateTime/);
    expect(refusal(doc('<cr:rule id="a"><cr:transformations><pr:provide-mood>yes</pr:provide-mood></cr:transformations></cr:rule>')).reason).toMatch(/must be true or false/);
    expect(refusal(doc('<cr:rule id="a"><cr:transformations><pr:provide-user-input>some</pr:provide-user-input></cr:transformations></cr:rule>')).reason).toMatch(/provide-user-input/);
    expect(refusal(doc('<cr:rule id="a"><cr:transformations><pr:provide-services><pr:class> </pr:class></pr:provide-services></cr:transformations></cr:rule>')).reason).toMatch(/empty <class>/);
  });

  it('pres-rules parse - hostile or wrong XML gets the PIDF parser\'s refusals, labelled pres-rules', () => {
    expect(refusal('<!DOCTYPE r [<!ENTITY a "aaaa">]><cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy"/>').reason).toBe('Malformed pres-rules: DOCTYPE not allowed');
    expect(refusal('<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy">').reason).toBe('Malformed pres-rules: not well-formed XML');
    expect(refusal('<presence xmlns="urn:ietf:params:xml:ns:pidf"/>').reason).toBe('Invalid pres-rules: root element is not {urn:ietf:params:xml:ns:common-policy}ruleset');
    const deep = `${'<cr:rule id="x"><cr:conditions>'.repeat(1)}${'<cr:identity>'.repeat(20)}${'</cr:identity>'.repeat(20)}</cr:conditions></cr:rule>`;
    expect(refusal(doc(deep)).kind).toBe('limit');
    expect(refusal(doc(' '.repeat(300 * 1024))).kind).toBe('too-large');
    const many = Array.from({ length: 10_001 }, (_, i) => `<cr:rule id="r${i}"/>`).join('');
    expect(refusal(doc(many)).reason).toBe('Malformed pres-rules: too many elements');
  });
});
