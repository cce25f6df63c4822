import type { DueExpiry } from '@presence/core';

/**
 * Member of a partition's expiry index (Redis: `exp:{p:<n>}` sorted set
 * member; memory: heap key). A JSON array, so any AOR or subscription id
 * round-trips: `["p",presentity]` or `["w",presentity,subscriptionId]`.
 * Entries with the same time are ordered by member, as Redis orders equal
 * scores (the memory twin compares UTF-16 code units, Redis bytes: they
 * differ only between astral and U+E000..U+FFFF characters).
 */
export function presentityMember(presentity: string): string {
  return JSON.stringify(['p', presentity]);
}

/** Whether the member stands for a presentity's publications (not a watcher). */
export function isPresentityMember(member: string): boolean {
  return member.startsWith('["p",');
}

export function watcherMember(presentity: string, subscriptionId: string): string {
  return JSON.stringify(['w', presentity, subscriptionId]);
}

/** The due entry a member stands for at time `at`; undefined for a member this code did not write. */
export function decodeExpiryMember(member: string, at: number): DueExpiry | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(member);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || typeof parts[1] !== 'string') return undefined;
  if (parts[0] === 'p' && parts.length === 2) return { kind: 'presentity', presentity: parts[1], at };
  if (parts[0] === 'w' && parts.length === 3 && typeof parts[2] === 'string') {
    return { kind: 'watcher', presentity: parts[1], subscriptionId: parts[2], at };
  }
  return undefined;
}
