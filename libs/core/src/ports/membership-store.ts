/** Live presence-agent workers, by heartbeat (ARCHITECTURE "Partitions and leases"). */
export interface MembershipStore {
  /** Announces `member` as alive until now + ttlMs. */
  heartbeat(member: string, ttlMs: number): Promise<void>;
  /** Members whose last heartbeat has not lapsed, sorted. */
  liveMembers(): Promise<string[]>;
  /** Removes `member` at once (graceful shutdown). */
  leave(member: string): Promise<void>;
}
