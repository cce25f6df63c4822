import { fnv1a32 } from './fnv1a.js';

/**
 * Rendezvous (highest random weight) hashing of partitions over live workers
 * (ARCHITECTURE "Partitions and leases"): every worker computes the same
 * answer from the same member list, and when a worker joins or leaves only
 * the partitions it wins or held move.
 */
export function rendezvousOwner(partition: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    // Mix the 32-bit hash once more so weights of neighbouring partitions are not correlated.
    const weight = mix32(fnv1a32(`${member}#${partition}`));
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

/** The partitions `member` should own among `members`. */
export function partitionsOwnedBy(member: string, members: readonly string[], partitionCount: number): number[] {
  const owned: number[] = [];
  for (let partition = 0; partition < partitionCount; partition++) {
    if (rendezvousOwner(partition, members) === member) owned.push(partition);
  }
  return owned;
}

function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
