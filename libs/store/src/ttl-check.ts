/** Lease, heartbeat and auth-state times must be positive finite milliseconds (both stores check the same way). */
export function assertPositiveTtl(name: string, ttlMs: number): void {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`${name} must be a positive number of ms, got ${ttlMs}`);
}

/** A nonce count: a non-negative safe integer (RFC 7616 nc is 8 hex digits). Both stores check the same way. */
export function assertNonceCount(nc: number): void {
  if (!Number.isSafeInteger(nc) || nc < 0) throw new RangeError(`nonce count must be a non-negative integer, got ${nc}`);
}

/** Offline queue limits: a positive integer cap and a positive time to live (both stores check the same way). */
export function assertOfflineLimits(limits: { maxMessages: number; ttlMs: number }): void {
  if (!Number.isSafeInteger(limits.maxMessages) || limits.maxMessages < 1) throw new RangeError(`offline maxMessages must be a positive integer, got ${limits.maxMessages}`);
  assertPositiveTtl('offline message ttlMs', limits.ttlMs);
}
