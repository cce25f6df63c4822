/** Key TTL in whole ms (at least 1) from our clock's now to `lapse`: relative, so Redis's clock never matters. */
export function ttlFrom(lapse: number, now: number): number {
  return Math.max(1, Math.ceil(lapse - now));
}

/** A time as a sorted-set score bound (ZRANGEBYSCORE spells the infinities +inf and -inf). */
export function scoreBound(value: number): string {
  if (value === Infinity) return '+inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}
