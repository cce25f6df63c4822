import { PolicyError } from '../policy-error.js';

/**
 * A filter document that is well formed and valid but asks for what this
 * notifier cannot do (XPath beyond the subset, an extension element, another
 * event package, too many filters). RFC 4660 (notifier operation): a filter
 * the notifier cannot process rejects the subscription, with 488 Not
 * Acceptable Here (RFC 3261 §21.4.26); the reason phrase names what.
 */
export class UnsupportedFilterError extends PolicyError {
  constructor(reason: string) {
    super('invalid', reason);
    this.name = 'UnsupportedFilterError';
  }
}

/** A filter document that breaks the RFC 4661 format: answered 400 naming the problem. */
export function malformedFilter(problem: string): PolicyError {
  return new PolicyError('invalid', `Invalid filter: ${problem}`);
}

export function unsupportedFilter(problem: string): UnsupportedFilterError {
  return new UnsupportedFilterError(`Filter not supported: ${problem}`);
}
