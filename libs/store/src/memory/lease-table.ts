import type { Lease } from '@presence/core';

interface LeaseSlot {
  /** Undefined once released; the epoch stays. */
  owner: string | undefined;
  epoch: number;
  expiresAt: number;
}

/**
 * Partition leases (ARCHITECTURE "Partitions and leases"), like Redis
 * `lease:{p:<n>}`: a lease is live while the clock is before its expiresAt.
 * Renewal by the live holder keeps the epoch; every other take (free,
 * lapsed or released partition, even by its last holder: a new tenure)
 * bumps it, so the epoch is a fencing token that never repeats. Slots are
 * kept after release for that reason (one small record per partition).
 */
export class LeaseTable {
  private readonly slots = new Map<number, LeaseSlot>();

  acquire(partition: number, owner: string, ttlMs: number, now: number): Lease | undefined {
    const slot = this.slots.get(partition);
    const live = slot?.owner !== undefined && slot.expiresAt > now;
    if (live && slot.owner !== owner) return undefined;
    const next: LeaseSlot = { owner, epoch: (slot?.epoch ?? 0) + (live ? 0 : 1), expiresAt: now + ttlMs };
    this.slots.set(partition, next);
    return { partition, owner, epoch: next.epoch, expiresAt: next.expiresAt };
  }

  release(partition: number, owner: string): void {
    const slot = this.slots.get(partition);
    if (slot?.owner === owner) slot.owner = undefined;
  }

  holder(partition: number, now: number): Lease | undefined {
    const slot = this.slots.get(partition);
    if (slot?.owner === undefined || slot.expiresAt <= now) return undefined;
    return { partition, owner: slot.owner, epoch: slot.epoch, expiresAt: slot.expiresAt };
  }
}
