/** A worker's time-limited claim on one partition (ARCHITECTURE "Partitions and leases"). */
export interface Lease {
  readonly partition: number;
  readonly owner: string;
  /** Fencing token: grows every time the lease changes hands, never on renewal. */
  readonly epoch: number;
  readonly expiresAt: number;
}

export interface LeaseStore {
  /**
   * Takes the partition's lease if nobody holds it (or it lapsed), or renews
   * it if `owner` already holds it; in both cases it then lasts `ttlMs` from
   * now. Returns the lease `owner` now holds, or undefined if another worker
   * holds it.
   */
  acquireLease(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * acquireLease for each partition, all judged at one time; the answers in
   * the order asked. A lone Redis node takes them in one round trip (an
   * agent renews every partition it owns each tick: 128 calls a second each
   * with two agents).
   */
  acquireLeases(partitions: readonly number[], owner: string, ttlMs: number): Promise<Array<Lease | undefined>>;
  /** Gives the lease up at once if `owner` holds it (graceful shutdown, rebalancing). */
  releaseLease(partition: number, owner: string): Promise<void>;
}
