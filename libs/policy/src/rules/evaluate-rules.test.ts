import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRules, ruleMatches } from './evaluate-rules.js';
import { parsePresRules } from './parse-pres-rules.js';
import type { Rule, RuleConditions, Ruleset } from './ruleset.js';
import { SUB_HANDLINGS, SUB_HANDLING_RANK, type SubHandling } from './sub-handling.js';
import { EVERYTHING_PROVIDED, NOTHING_PROVIDED, type Transformations, combineTransformations, viewKey } from './transformations.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;

const rules = (body: string): Ruleset =>
  parsePresRules(`<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">${body}</cr:ruleset>`);
const rule = (id: string, conditions: string, subHandling?: SubHandling, transformations = ''): string =>
  `<cr:rule id="${id}"><cr:conditions>${conditions}</cr:conditions>${subHandling === undefined ? '' : `<cr:actions><pr:sub-handling>${subHandling}</pr:sub-handling></cr:actions>`}<cr:transformations>${transformations}</cr:transformations></cr:rule>`;
const one = (id: string): string => `<cr:identity><cr:one id="${id}"/></cr:identity>`;

describe('evaluateRules', () => {
  const request = (watcher: string, sphere?: string) => ({ watcher, now: NOW, ...(sphere === undefined ? {} : { sphere }) });

  it('evaluate - no rule covers the watcher: the configured default, confirm showing nothing, allow showing everything', () => {
    const ruleset = rules(rule('friend', one('sip:bob@example.com'), 'allow'));
    expect(evaluateRules(ruleset, request('sip:carol@example.com'), 'confirm')).toMatchObject({ subHandling: 'confirm', byDefault: true, matchedRules: [], transformations: NOTHING_PROVIDED });
    const allowed = evaluateRules(ruleset, request('sip:carol@example.com'), 'allow');
    expect(allowed).toMatchObject({ subHandling: 'allow', byDefault: true, transformations: EVERYTHING_PROVIDED, viewKey: viewKey(EVERYTHING_PROVIDED) });
    expect(evaluateRules({ rules: [] }, request('sip:carol@example.com'), 'block').subHandling).toBe('block');
  });

  it('evaluate - the most permissive matching sub-handling wins and transformations add up (RFC 4745 §10)', () => {
    const ruleset = rules(
      rule('all', '', 'polite-block', '<pr:provide-services><pr:class>work</pr:class></pr:provide-services>') +
        rule('domain', '<cr:identity><cr:many domain="example.com"/></cr:identity>', 'confirm', '<pr:provide-persons><pr:all-persons/></pr:provide-persons>') +
        rule('bob', one('sip:bob@example.com'), 'block', '<pr:provide-mood>true</pr:provide-mood>'),
    );
    const decision = evaluateRules(ruleset, request('sip:bob@example.com'), 'confirm');
    expect(decision.subHandling).toBe('polite-block');
    expect(decision.matchedRules).toEqual(['all', 'bob', 'domain']);
    expect(decision.transformations.services.classes).toEqual(['work']);
    expect(decision.transformations.persons.all).toBe(true);
    expect(decision.transformations.attributes).toEqual(['mood']);
    expect(evaluateRules(ruleset, request('sip:bob@other.example'), 'allow').subHandling).toBe('polite-block');
  });

  it('evaluate - a matching rule without sub-handling leaves the default but still restricts the view', () => {
    const ruleset = rules(rule('view', '', undefined, '<pr:provide-services><pr:all-services/></pr:provide-services>'));
    const decision = evaluateRules(ruleset, request('sip:bob@example.com'), 'allow');
    expect(decision).toMatchObject({ subHandling: 'allow', byDefault: true, matchedRules: ['view'] });
    expect(decision.transformations.services.all).toBe(true);
    expect(decision.transformations.persons.all).toBe(false);
  });

  it('evaluate - identity: one by canonical AOR, many by domain with except by domain and id', () => {
    const ruleset = rules(
      rule('one', one('sip:Bob@EXAMPLE.com;transport=tcp'), 'allow') +
        rule('many', '<cr:identity><cr:many domain="partner.example"><cr:except domain="partner.example"/></cr:many><cr:many><cr:except id="sip:eve@evil.example"/><cr:except domain="spam.example"/></cr:many></cr:identity>', 'confirm'),
    );
    const sub = (watcher: string) => evaluateRules(ruleset, request(watcher), 'block').subHandling;
    expect(sub('sip:Bob@example.com')).toBe('allow');
    expect(sub('sip:bob@example.com')).toBe('confirm');
    expect(sub('sip:x@partner.example')).toBe('confirm');
    expect(sub('sip:eve@evil.example')).toBe('block');
    expect(sub('sip:x@spam.example')).toBe('block');
  });

  it('evaluate - sphere and validity conditions, and an unknown condition never matches', () => {
    const ruleset = rules(
      rule('work', '<cr:sphere value="work"/><cr:sphere value="office"/>', 'allow') +
        rule('window', `<cr:validity><cr:from>2026-06-01T11:00:00Z</cr:from><cr:until>2026-06-01T12:00:00Z</cr:until><cr:from>2026-06-01T12:00:00Z</cr:from><cr:until>2026-06-01T13:00:00Z</cr:until></cr:validity>`, 'polite-block') +
        '<cr:rule id="ext" xmlns:x="urn:example:x"><cr:conditions><x:moon-phase/></cr:conditions><cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions></cr:rule>',
    );
    const at = (now: number, sphere?: string) => evaluateRules(ruleset, { watcher: 'sip:bob@example.com', now, ...(sphere === undefined ? {} : { sphere }) }, 'block');
    expect(at(NOW, 'work').subHandling).toBe('allow');
    expect(at(NOW, 'office').subHandling).toBe('allow');
    expect(at(NOW, 'home').subHandling).toBe('polite-block');
    expect(at(NOW).matchedRules).toEqual(['window']);
    expect(at(NOW + HOUR).subHandling).toBe('block');
    expect(at(NOW - HOUR).subHandling).toBe('polite-block');
    expect(at(NOW - HOUR - 1).subHandling).toBe('block');
  });
});

// Property-based: rules built directly over a small universe, so conditions often overlap.
const DOMAINS = ['a.example', 'b.example', 'c.example'];
const WATCHERS = DOMAINS.flatMap((domain) => ['u1', 'u2'].map((user) => `sip:${user}@${domain}`));
const SPHERES = ['work', 'home'];

const arbConditions: fc.Arbitrary<RuleConditions> = fc.record({
  identity: fc.array(
    fc.record({
      ids: fc.subarray(WATCHERS, { maxLength: 2 }),
      many: fc.array(
        fc.record({ domain: fc.option(fc.constantFrom(...DOMAINS), { nil: undefined }), exceptDomains: fc.subarray(DOMAINS, { maxLength: 1 }), exceptIds: fc.subarray(WATCHERS, { maxLength: 2 }) }).map(({ domain, ...rest }) => (domain === undefined ? rest : { domain, ...rest })),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
  sphere: fc.subarray(SPHERES),
  validity: fc.array(fc.record({ intervals: fc.array(fc.record({ from: fc.integer({ min: -3, max: 3 }).map((h) => NOW + h * HOUR), until: fc.integer({ min: -3, max: 3 }).map((h) => NOW + h * HOUR) }), { minLength: 1, maxLength: 2 }) }), { maxLength: 1 }),
  unsupported: fc.constantFrom(false, false, false, true),
});

const arbTransformations: fc.Arbitrary<Transformations> = fc
  .record({ services: fc.boolean(), persons: fc.boolean(), classes: fc.subarray(['work', 'home']), attributes: fc.subarray(['mood', 'activities'] as const), all: fc.boolean() })
  .map(({ services, persons, classes, attributes, all }) => ({
    ...NOTHING_PROVIDED,
    services: { ...NOTHING_PROVIDED.services, all: services, classes: services ? [] : classes },
    persons: { ...NOTHING_PROVIDED.persons, all: persons },
    attributes: all ? [] : [...attributes],
    allAttributes: all,
    userInput: all ? 'full' : 'false',
  }));

let ruleCounter = 0;
const arbRule: fc.Arbitrary<Rule> = fc
  .record({ conditions: arbConditions, subHandling: fc.option(fc.constantFrom(...SUB_HANDLINGS), { nil: undefined }), transformations: arbTransformations })
  .map(({ conditions, subHandling, transformations }) => ({ id: `r${ruleCounter++}`, conditions, transformations: combineTransformations(NOTHING_PROVIDED, transformations), ...(subHandling === undefined ? {} : { subHandling }) }));

const arbRequest = fc.record({ watcher: fc.constantFrom(...WATCHERS), sphere: fc.option(fc.constantFrom(...SPHERES), { nil: undefined }), now: fc.constant(NOW) }).map(({ sphere, ...rest }) => (sphere === undefined ? rest : { sphere, ...rest }));
const arbDefault = fc.constantFrom(...SUB_HANDLINGS);

describe('evaluateRules properties', () => {
  it('evaluate property - order independence: any permutation of the rules gives the same decision', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 6 }).chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))), arbRequest, arbDefault, ([list, shuffled], request, byDefault) => {
        expect(evaluateRules({ rules: shuffled }, request, byDefault)).toEqual(evaluateRules({ rules: list }, request, byDefault));
      }),
    );
  });

  it('evaluate property - adding a rule never makes the rules\' sub-handling less permissive, nor provides less', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 5 }), arbRule, arbRequest, arbDefault, (list, extra, request, byDefault) => {
        const before = evaluateRules({ rules: list }, request, byDefault);
        const after = evaluateRules({ rules: [...list, extra] }, request, byDefault);
        if (!before.byDefault) {
          expect(SUB_HANDLING_RANK[after.subHandling]).toBeGreaterThanOrEqual(SUB_HANDLING_RANK[before.subHandling]);
        }
        if (before.matchedRules.length > 0) {
          expect(viewKey(combineTransformations(after.transformations, before.transformations))).toBe(after.viewKey);
        }
      }),
    );
  });

  it('evaluate property - an except always excludes: a rule whose identities all except the watcher never matches it', () => {
    fc.assert(
      fc.property(arbRule, arbRequest, fc.boolean(), (base, request, byDomain) => {
        const domain = request.watcher.slice(request.watcher.indexOf('@') + 1);
        const except = byDomain ? { exceptDomains: [domain], exceptIds: [] } : { exceptDomains: [], exceptIds: [request.watcher] };
        const excluding: Rule = { ...base, conditions: { ...base.conditions, identity: [{ ids: [], many: [{ ...except }, { domain, ...except }] }] } };
        expect(ruleMatches(excluding, request)).toBe(false);
      }),
    );
  });

  it('evaluate property - a validity that does not contain now never matches', () => {
    fc.assert(
      fc.property(arbRule, arbRequest, fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 3 }), (base, request, spans) => {
        // Each interval ends at or before now, or starts after it.
        const intervals = spans.map(([offset, length]) => (offset < 0 ? { from: NOW + offset * 1000 - length * 1000, until: NOW + offset * 1000 } : { from: NOW + 1 + offset * 1000, until: NOW + 1 + offset * 1000 + length * 1000 }));
        const outside: Rule = { ...base, conditions: { ...base.conditions, validity: [{ intervals }] } };
        expect(ruleMatches(outside, request)).toBe(false);
      }),
    );
  });

  it('evaluate property - no matching rule with a sub-handling means the default, and only then', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 5 }), arbRequest, arbDefault, (list, request, byDefault) => {
        const decision = evaluateRules({ rules: list }, request, byDefault);
        const setters = list.filter((r) => r.subHandling !== undefined && ruleMatches(r, request));
        expect(decision.byDefault).toBe(setters.length === 0);
        if (decision.byDefault) expect(decision.subHandling).toBe(byDefault);
      }),
    );
  });
});
