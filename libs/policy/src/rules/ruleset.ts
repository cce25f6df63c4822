import type { SubHandling } from './sub-handling.js';
import type { Transformations } from './transformations.js';

/**
 * RFC 4745 §7.1.1 <many>: every identity of `domain` (any domain when
 * undefined), except the listed domains and identities. Domains are
 * lower-case; identities are canonical AORs where they parse as SIP URIs.
 */
export interface ManyIdentities {
  readonly domain?: string;
  readonly exceptDomains: readonly string[];
  readonly exceptIds: readonly string[];
}

/** One <identity> condition: true when any of its <one> or <many> children matches. */
export interface IdentityCondition {
  readonly ids: readonly string[];
  readonly many: readonly ManyIdentities[];
}

/** One <validity> condition: true while `now` is in any [from, until) interval (ms since the epoch). */
export interface ValidityCondition {
  readonly intervals: ReadonlyArray<{ readonly from: number; readonly until: number }>;
}

/**
 * A rule's conditions, by kind. RFC 4745 §7: every kind present must hold
 * (and), while several conditions of one kind hold when any does (or). An
 * empty list means the kind is absent, which holds.
 */
export interface RuleConditions {
  readonly identity: readonly IdentityCondition[];
  readonly sphere: readonly string[];
  readonly validity: readonly ValidityCondition[];
  /**
   * RFC 4745 §7: a condition this code does not understand evaluates to
   * false, so the rule never matches (granting more than the user meant
   * would be the unsafe reading).
   */
  readonly unsupported: boolean;
}

export interface Rule {
  readonly id: string;
  readonly conditions: RuleConditions;
  /** Undefined when the rule sets no sub-handling (RFC 4745 §10: it then contributes no value). */
  readonly subHandling?: SubHandling;
  readonly transformations: Transformations;
}

/** A parsed pres-rules document: its rules, in document order (which never matters: §10 combines). */
export interface Ruleset {
  readonly rules: readonly Rule[];
}

export const EMPTY_RULESET: Ruleset = Object.freeze({ rules: [] });
