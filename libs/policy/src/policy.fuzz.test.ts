import { applyMutations, fuzzAssert, mutations } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError } from './policy-error.js';
import { parsePresRules } from './rules/parse-pres-rules.js';
import { parseWatcherInfo } from './winfo/parse-watcherinfo.js';
import { renderWatcherInfo } from './winfo/render-watcherinfo.js';

/**
 * Damaged pres-rules (RFC 4745 / 5025) and watcherinfo (RFC 3858) documents
 * — the bodies an XCAP PUT and a winfo NOTIFY will carry — are read or
 * refused with a PolicyError, never another exception (npm run fuzz runs
 * this file with fresh seeds: target `policy`).
 */
const PRES_RULES = `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <cr:rule id="friends">
    <cr:conditions>
      <cr:identity><cr:one id="sip:bob@example.com"/><cr:many domain="example.org"><cr:except id="sip:eve@example.org"/></cr:many></cr:identity>
      <cr:sphere value="work"/>
      <cr:validity><cr:from>2026-01-01T00:00:00Z</cr:from><cr:until>2027-01-01T00:00:00Z</cr:until></cr:validity>
    </cr:conditions>
    <cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions>
    <cr:transformations>
      <pr:provide-services><pr:service-uri-scheme>sip</pr:service-uri-scheme><pr:class>work</pr:class></pr:provide-services>
      <pr:provide-persons><pr:all-persons/></pr:provide-persons>
      <pr:provide-devices><pr:deviceID>mac:8asd7a</pr:deviceID></pr:provide-devices>
      <pr:provide-activities>true</pr:provide-activities>
      <pr:provide-user-input>bare</pr:provide-user-input>
    </cr:transformations>
  </cr:rule>
  <cr:rule id="block"><cr:conditions/><cr:actions><pr:sub-handling>polite-block</pr:sub-handling></cr:actions></cr:rule>
</cr:ruleset>`;

const WATCHERINFO = renderWatcherInfo({
  version: 3,
  state: 'partial',
  lists: [
    {
      resource: 'sip:alice@example.com',
      package: 'presence',
      watchers: [
        { id: 'w1', status: 'pending', event: 'subscribe', uri: 'sip:bob@example.com' },
        { id: 'w2', status: 'terminated', event: 'rejected', uri: 'sip:eve@example.org' },
      ],
    },
  ],
});

/** Markup, references and declarations a hostile body might carry. */
const xmlSnippet = fc.constantFrom('<', '>', '&', '&#0;', '&undefined;', '<![CDATA[', ']]>', '<!--', '<?pi x?>', '<!DOCTYPE r>', '</cr:rule>', '<cr:rule id="x">', 'xmlns:cr="urn:x"', '="', '\u0000', '\ud800');

function readOrRefuse(parse: (xml: string) => unknown, xml: string): void {
  try {
    parse(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
  }
}

function damaged(document: string): fc.Arbitrary<string> {
  return fc.tuple(mutations(4, 3_000), fc.array(fc.tuple(fc.nat(), xmlSnippet), { maxLength: 3 })).map(([damage, inserts]) => {
    let xml = applyMutations(Buffer.from(document, 'utf8'), damage).toString('utf8');
    for (const [at, snippet] of inserts) {
      const i = at % (xml.length + 1);
      xml = xml.slice(0, i) + snippet + xml.slice(i);
    }
    return xml;
  });
}

describe('policy document properties', { timeout: 60_000 }, () => {
  it('fuzz - the seed documents are valid', () => {
    expect(parsePresRules(PRES_RULES).rules).toHaveLength(2);
    expect(parseWatcherInfo(WATCHERINFO).version).toBe(3);
  });

  it('fuzz - damaged pres-rules are read or refused with a PolicyError, never another exception', () => {
    fuzzAssert('mutated pres-rules', fc.property(damaged(PRES_RULES), (xml) => readOrRefuse(parsePresRules, xml)), 20261130, 1_500);
  });

  it('fuzz - damaged watcherinfo is read or refused with a PolicyError, never another exception', () => {
    fuzzAssert('mutated watcherinfo', fc.property(damaged(WATCHERINFO), (xml) => readOrRefuse(parseWatcherInfo, xml)), 20261131, 1_500);
  });
});
