/** Lease and heartbeat times must be positive finite milliseconds (both stores check the same way). */
export function assertPositiveTtl(name: string, ttlMs: number): void {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`${name} must be a positive number of ms, got ${ttlMs}`);
}
