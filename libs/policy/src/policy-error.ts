import { type PidfErrorKind, XmlDocumentError } from '@presence/pidf';

/**
 * Why a pres-rules or watcherinfo document was refused: `too-large` maps to
 * 413, the rest to 400 (or XCAP 409 <not-well-formed> / <schema-validation-error>).
 */
export type PolicyErrorKind = PidfErrorKind;

/** A refused pres-rules or watcherinfo document; `reason` names the problem. */
export class PolicyError extends XmlDocumentError {
  constructor(kind: PolicyErrorKind, reason: string, options?: { cause?: unknown }) {
    super(kind, reason, options);
    this.name = 'PolicyError';
  }
}

/** A pres-rules document that parses but breaks a rule evaluation relies on. */
export function invalidPresRules(problem: string): PolicyError {
  return new PolicyError('invalid', `Invalid pres-rules: ${problem}`);
}
