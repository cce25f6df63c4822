import { DIGEST_ALGORITHMS, type DigestAlgorithm, type UserRecord } from '@presence/core';

/** Lower-case hex length of an HA1 per algorithm. */
const HA1_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { 'SHA-256': 64, MD5: 32 };

/**
 * What is wrong with a user record, or undefined when nothing is: both
 * stores refuse to write such a record (RangeError) and treat one read back
 * as corrupt. The HA1 check also keeps a password from being stored by
 * mistake in its place.
 */
export function userRecordProblem(record: UserRecord): string | undefined {
  if (typeof record.aor !== 'string' || record.aor === '') return 'aor: expected a non-empty string';
  if (typeof record.username !== 'string' || record.username === '') return 'username: expected a non-empty string';
  if (typeof record.realm !== 'string') return 'realm: expected a string';
  if (typeof record.enabled !== 'boolean') return 'enabled: expected true or false';
  if (record.displayName !== undefined && typeof record.displayName !== 'string') return 'displayName: expected a string';
  for (const algorithm of DIGEST_ALGORITHMS) {
    const hex = record.ha1?.[algorithm];
    if (typeof hex !== 'string' || hex.length !== HA1_HEX_LENGTH[algorithm] || !/^[0-9a-f]*$/.test(hex)) {
      return `ha1.${algorithm}: expected ${HA1_HEX_LENGTH[algorithm]} lower-case hex digits`;
    }
  }
  return undefined;
}

/** Refuses a record no store may hold (see userRecordProblem). */
export function assertUserRecord(record: UserRecord): void {
  const problem = userRecordProblem(record);
  if (problem !== undefined) throw new RangeError(`bad user record: ${problem}`);
}

/** A frozen copy holding exactly the record's fields, so later changes to the caller's object never reach a store. */
export function copyUserRecord(record: UserRecord): UserRecord {
  const ha1 = Object.freeze({ 'SHA-256': record.ha1['SHA-256'], MD5: record.ha1.MD5 });
  return Object.freeze({
    aor: record.aor,
    username: record.username,
    realm: record.realm,
    ha1,
    ...(record.displayName === undefined ? {} : { displayName: record.displayName }),
    enabled: record.enabled,
  });
}

/** listUsers' limit: a non-negative safe integer. */
export function assertListLimit(limit: number, operation = 'listUsers'): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`${operation} limit must be a non-negative integer, got ${limit}`);
}

/**
 * The order users are listed in: by the AOR's UTF-8 bytes, as a Redis
 * sorted set orders members of equal score (ZRANGE BYLEX), so both stores
 * list alike even beyond ASCII (UTF-16 code-unit order differs from it for
 * characters above U+FFFF).
 */
export function compareAors(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
