import { escapeAttribute, escapeText } from '@presence/pidf';
import { COMMON_POLICY_NS, PRES_RULES_NS } from '../namespaces.js';
import type { SubHandling } from './sub-handling.js';

/** A rule as tools write one (lab setup, bench, tests): who, what is done, what is shown. */
export interface SimpleRule {
  readonly id: string;
  /** <one id=…> identities; with `domain`, the rule matches either. */
  readonly ids?: readonly string[];
  /** <many domain=…>; '' is <many/> (anyone). */
  readonly domain?: string;
  readonly subHandling: SubHandling;
  /**
   * What the watcher sees: `everything` (all services, persons, devices and
   * attributes: the whole document), or the services of these tuple classes
   * (RFC 5025 §3.3.1.1 <class>) and every person and device, with their
   * attributes. Absent: no transformation (RFC 5025 §3.3: nothing shown but
   * what the minimal view keeps).
   */
  readonly provide?: 'everything' | { readonly serviceClasses: readonly string[] };
}

/** An RFC 5025 pres-rules document (RFC 4745 common policy) with the given rules. */
export function renderPresRules(rules: readonly SimpleRule[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<cr:ruleset xmlns:cr="${COMMON_POLICY_NS}" xmlns:pr="${PRES_RULES_NS}">${rules.map(renderRule).join('')}</cr:ruleset>\n`;
}

function renderRule(rule: SimpleRule): string {
  const ones = (rule.ids ?? []).map((id) => `<cr:one id="${escapeAttribute(id)}"/>`).join('');
  const many = rule.domain === undefined ? '' : rule.domain === '' ? '<cr:many/>' : `<cr:many domain="${escapeAttribute(rule.domain)}"/>`;
  const conditions = ones === '' && many === '' ? '<cr:conditions/>' : `<cr:conditions><cr:identity>${ones}${many}</cr:identity></cr:conditions>`;
  const actions = `<cr:actions><pr:sub-handling>${rule.subHandling}</pr:sub-handling></cr:actions>`;
  return `<cr:rule id="${escapeAttribute(rule.id)}">${conditions}${actions}${renderProvide(rule.provide)}</cr:rule>`;
}

function renderProvide(provide: SimpleRule['provide']): string {
  if (provide === undefined) return '';
  const rest = '<pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-devices><pr:all-devices/></pr:provide-devices><pr:provide-all-attributes/>';
  const services =
    provide === 'everything'
      ? '<pr:all-services/>'
      : provide.serviceClasses.map((c) => `<pr:class>${escapeText(c)}</pr:class>`).join('');
  return `<cr:transformations><pr:provide-services>${services}</pr:provide-services>${rest}</cr:transformations>`;
}
