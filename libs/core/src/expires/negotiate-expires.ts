import { BadRequestError, IntervalTooBriefError } from '../errors/catalogue.js';

/** Bounds and default of a soft-state duration, in seconds. */
export interface ExpiresPolicy {
  /** Shortest non-zero duration accepted; shorter requests get 423 with Min-Expires. */
  readonly min: number;
  /** Longest duration granted; longer requests are shortened to it. */
  readonly max: number;
  /** Granted when the request names no duration. */
  readonly default: number;
}

/**
 * The duration granted for a requested one, in seconds, as a PUBLISH (RFC 3903
 * §6 step 5), SUBSCRIBE (RFC 6665 §4.2.1.1) or REGISTER (RFC 3261 §10.3 step 7)
 * server does it:
 * - absent: the policy default;
 * - 0: 0 (removal, unsubscribe, fetch) — never "too brief";
 * - 0 < requested < min: 423 Interval Too Brief with Min-Expires;
 * - above max: shortened to max (the server MAY lower the interval, never raise it).
 *
 * @throws BadRequestError "Invalid Expires" for NaN, negative or fractional values
 *   (Expires is delta-seconds, 1*DIGIT: RFC 3261 §20.19).
 * @throws IntervalTooBriefError (423) when 0 < requested < policy.min.
 */
export function negotiateExpires(requested: number | undefined, policy: ExpiresPolicy): number {
  if (requested === undefined) return policy.default;
  if (requested === Number.POSITIVE_INFINITY) return policy.max;
  if (!Number.isInteger(requested) || requested < 0) throw new BadRequestError('Invalid Expires');
  if (requested === 0) return 0;
  if (requested < policy.min) throw new IntervalTooBriefError(policy.min);
  return Math.min(requested, policy.max);
}
