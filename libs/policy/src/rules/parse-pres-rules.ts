import { normalizeAor } from '@presence/core';
import { type PidfLimits, type XmlElement, childElements, getAttribute } from '@presence/pidf';
import { COMMON_POLICY_NS, PRES_RULES_NS } from '../namespaces.js';
import { invalidPresRules as invalid } from '../policy-error.js';
import { parseTransformations } from './parse-transformations.js';
import type { IdentityCondition, ManyIdentities, Rule, RuleConditions, Ruleset, ValidityCondition } from './ruleset.js';
import { type SubHandling, isSubHandling } from './sub-handling.js';
import { parsePolicyXml, trimmedText } from './xml-input.js';

/** Bounds for a pres-rules document: room for a rule per buddy of a large list, nothing more. */
export const defaultPresRulesLimits: PidfLimits = Object.freeze({
  maxBytes: 256 * 1024,
  maxDepth: 16,
  maxElements: 10_000,
  maxAttributes: 32,
});

const LABEL = 'pres-rules';

/**
 * Parses an application/auth-policy+xml pres-rules document (RFC 4745
 * common policy with the RFC 5025 actions and transformations). Elements
 * this code does not know are ignored as RFC 4745 §6.2 asks, except
 * unknown conditions, which make their rule never match (see RuleConditions).
 * No schema validation: what is checked is what evaluation relies on.
 * @throws PolicyError with a reason naming the problem.
 */
export function parsePresRules(xml: string, limits: PidfLimits = defaultPresRulesLimits): Ruleset {
  const root = parsePolicyXml(xml, limits, LABEL, COMMON_POLICY_NS, 'ruleset');
  const rules: Rule[] = [];
  const ids = new Set<string>();
  for (const element of childElements(root, COMMON_POLICY_NS, 'rule')) {
    const id = getAttribute(element, 'id');
    if (id === undefined || id === '') throw invalid('rule without id');
    // RFC 4745 §6.1: the id is an xs:ID, unique within the document.
    if (ids.has(id)) throw invalid(`duplicate rule id ${JSON.stringify(id)}`);
    ids.add(id);
    rules.push(parseRule(id, element));
  }
  return { rules };
}

function parseRule(id: string, element: XmlElement): Rule {
  const conditions = childElements(element, COMMON_POLICY_NS, 'conditions')[0];
  const actions = childElements(element, COMMON_POLICY_NS, 'actions')[0];
  const transformations = childElements(element, COMMON_POLICY_NS, 'transformations')[0];
  const subHandling = actions === undefined ? undefined : parseSubHandling(id, actions);
  return {
    id,
    conditions: parseConditions(id, conditions),
    ...(subHandling === undefined ? {} : { subHandling }),
    transformations: parseTransformations(id, transformations),
  };
}

function parseConditions(ruleId: string, conditions: XmlElement | undefined): RuleConditions {
  const identity: IdentityCondition[] = [];
  const sphere: string[] = [];
  const validity: ValidityCondition[] = [];
  let unsupported = false;
  for (const child of conditions === undefined ? [] : childElements(conditions)) {
    if (child.ns === COMMON_POLICY_NS && child.name === 'identity') identity.push(parseIdentity(ruleId, child));
    else if (child.ns === COMMON_POLICY_NS && child.name === 'sphere') sphere.push(requiredAttribute(ruleId, child, 'value'));
    else if (child.ns === COMMON_POLICY_NS && child.name === 'validity') validity.push(parseValidity(ruleId, child));
    else unsupported = true;
  }
  return { identity, sphere, validity, unsupported };
}

function parseIdentity(ruleId: string, identity: XmlElement): IdentityCondition {
  const ids: string[] = [];
  const many: ManyIdentities[] = [];
  for (const child of childElements(identity, COMMON_POLICY_NS)) {
    if (child.name === 'one') ids.push(canonicalIdentity(requiredAttribute(ruleId, child, 'id')));
    else if (child.name === 'many') many.push(parseMany(ruleId, child));
  }
  return { ids, many };
}

function parseMany(ruleId: string, many: XmlElement): ManyIdentities {
  const domain = getAttribute(many, 'domain');
  const exceptDomains: string[] = [];
  const exceptIds: string[] = [];
  for (const except of childElements(many, COMMON_POLICY_NS, 'except')) {
    const exceptDomain = getAttribute(except, 'domain');
    const exceptId = getAttribute(except, 'id');
    // RFC 4745 §7.1.1: an <except> names either a domain or an identity.
    if ((exceptDomain === undefined) === (exceptId === undefined)) throw invalid(`rule ${JSON.stringify(ruleId)}: <except> needs exactly one of domain and id`);
    if (exceptDomain !== undefined) exceptDomains.push(exceptDomain.toLowerCase());
    if (exceptId !== undefined) exceptIds.push(canonicalIdentity(exceptId));
  }
  return { ...(domain === undefined ? {} : { domain: domain.toLowerCase() }), exceptDomains, exceptIds };
}

/** RFC 4745 §7.3: <from>/<until> pairs, each an xs:dateTime. */
function parseValidity(ruleId: string, validity: XmlElement): ValidityCondition {
  const parts = childElements(validity, COMMON_POLICY_NS);
  const intervals: Array<{ from: number; until: number }> = [];
  for (let i = 0; i < parts.length; i += 2) {
    const from = parts[i] as XmlElement;
    const until = parts[i + 1];
    if (from.name !== 'from' || until?.name !== 'until') throw invalid(`rule ${JSON.stringify(ruleId)}: <validity> needs <from> and <until> pairs`);
    intervals.push({ from: dateTime(ruleId, from), until: dateTime(ruleId, until) });
  }
  return { intervals };
}

const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function dateTime(ruleId: string, element: XmlElement): number {
  const text = trimmedText(element);
  const time = DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw invalid(`rule ${JSON.stringify(ruleId)}: <${element.name}> is not an xs:dateTime: ${JSON.stringify(text.slice(0, 40))}`);
  return time;
}

function parseSubHandling(ruleId: string, actions: XmlElement): SubHandling | undefined {
  const element = childElements(actions, PRES_RULES_NS, 'sub-handling')[0];
  if (element === undefined) return undefined;
  const value = trimmedText(element);
  if (!isSubHandling(value)) throw invalid(`rule ${JSON.stringify(ruleId)}: sub-handling must be block, confirm, polite-block or allow, not ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

/** A SIP identity compares as its canonical AOR, as the watcher's does; anything else compares as written. */
function canonicalIdentity(id: string): string {
  try {
    return normalizeAor(id.trim());
  } catch {
    return id.trim();
  }
}

function requiredAttribute(ruleId: string, element: XmlElement, name: string): string {
  const value = getAttribute(element, name);
  if (value === undefined || value === '') throw invalid(`rule ${JSON.stringify(ruleId)}: <${element.name}> without ${name}`);
  return value;
}
