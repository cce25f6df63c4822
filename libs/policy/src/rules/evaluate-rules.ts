import { aorDomain } from '@presence/core';
import type { IdentityCondition, ManyIdentities, Rule, Ruleset } from './ruleset.js';
import { type SubHandling, morePermissive } from './sub-handling.js';
import { EVERYTHING_PROVIDED, NOTHING_PROVIDED, type Transformations, combineTransformations, viewKey } from './transformations.js';

/** Who asks and in which circumstances: the inputs of RFC 4745 §7's conditions. */
export interface AuthorizationRequest {
  /** The watcher's authenticated identity, a canonical AOR (sip:user@host). */
  readonly watcher: string;
  /** The presentity's current sphere (RFC 4480 <sphere>), if it published one. */
  readonly sphere?: string;
  /** The time the decision is made for, ms since the epoch. */
  readonly now: number;
}

/** What the presence server does with one watcher's subscription. */
export interface AuthorizationDecision {
  readonly subHandling: SubHandling;
  /** What of the document the watcher may see; meaningful when subHandling is allow. */
  readonly transformations: Transformations;
  /** viewKey(transformations): watchers with equal keys share one rendered view. */
  readonly viewKey: string;
  /** Ids of the matching rules, sorted; empty when the default applied. */
  readonly matchedRules: readonly string[];
  /** True when no matching rule set a sub-handling and the configured default was used. */
  readonly byDefault: boolean;
}

const EVERYTHING_KEY = viewKey(EVERYTHING_PROVIDED);

/**
 * RFC 4745 §10: the permissions of every matching rule combined; the most
 * permissive sub-handling wins (RFC 5025 §3.2.1 ranks them) and what any
 * rule provides is provided. When no matching rule sets a sub-handling,
 * the configured default applies (issue #12: `--default-sub-handling`,
 * confirm unless set), and a default `allow` shows the whole document,
 * as before authorization existed. Pure: the same inputs give the same
 * decision whatever the rules' order.
 */
export function evaluateRules(ruleset: Ruleset, request: AuthorizationRequest, defaultSubHandling: SubHandling): AuthorizationDecision {
  let subHandling: SubHandling | undefined;
  const matching: Rule[] = [];
  for (const rule of ruleset.rules) {
    if (!ruleMatches(rule, request)) continue;
    matching.push(rule);
    if (rule.subHandling !== undefined) subHandling = subHandling === undefined ? rule.subHandling : morePermissive(subHandling, rule.subHandling);
  }
  const matched = matching.map((rule) => rule.id).sort();
  // One matching rule (the common case) shares its parsed, canonical transformations, so its viewKey is computed once.
  const transformations = matching.length === 1 ? (matching[0] as Rule).transformations : matching.reduce((all, rule) => combineTransformations(all, rule.transformations), NOTHING_PROVIDED);
  if (subHandling === undefined) {
    const everything = matched.length === 0 && defaultSubHandling === 'allow';
    const shown = everything ? EVERYTHING_PROVIDED : transformations;
    return { subHandling: defaultSubHandling, transformations: shown, viewKey: everything ? EVERYTHING_KEY : viewKey(shown), matchedRules: matched, byDefault: true };
  }
  return { subHandling, transformations, viewKey: viewKey(transformations), matchedRules: matched, byDefault: false };
}

export function ruleMatches(rule: Rule, request: AuthorizationRequest): boolean {
  const { identity, sphere, validity, unsupported } = rule.conditions;
  if (unsupported) return false;
  if (identity.length > 0 && !identity.some((condition) => identityMatches(condition, request.watcher))) return false;
  if (sphere.length > 0 && (request.sphere === undefined || !sphere.includes(request.sphere))) return false;
  if (validity.length > 0 && !validity.some((v) => v.intervals.some(({ from, until }) => from <= request.now && request.now < until))) return false;
  return true;
}

function identityMatches(condition: IdentityCondition, watcher: string): boolean {
  if (condition.ids.includes(watcher)) return true;
  if (condition.many.length === 0) return false;
  const domain = domainOf(watcher);
  return condition.many.some((many) => manyMatches(many, watcher, domain));
}

/** RFC 4745 §7.1.1: <except> always excludes, whatever else matched. */
function manyMatches(many: ManyIdentities, watcher: string, domain: string | undefined): boolean {
  if (many.domain !== undefined && many.domain !== domain) return false;
  if (domain !== undefined && many.exceptDomains.includes(domain)) return false;
  return !many.exceptIds.includes(watcher);
}

function domainOf(watcher: string): string | undefined {
  try {
    return aorDomain(watcher).toLowerCase();
  } catch {
    // A watcher identity that is not a SIP URI has no domain: only <one> and domain-less <many> can match it.
    return undefined;
  }
}
