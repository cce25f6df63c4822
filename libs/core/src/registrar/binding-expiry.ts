import type { Binding } from '../model/binding.js';

/**
 * Seconds left before a binding lapses, rounded up and never negative: the
 * `expires` value of its Contact in a REGISTER 200 OK (RFC 3261 §10.3 step 8).
 */
export function bindingExpiresIn(binding: Binding, now: number): number {
  return Math.max(0, Math.ceil((binding.expiresAt - now) / 1000));
}
