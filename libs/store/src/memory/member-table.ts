/**
 * Live workers by heartbeat, like the Redis `members` sorted set: a member
 * is live while the clock is before its last heartbeat + ttl. Lapsed
 * members are dropped when the list is read.
 */
export class MemberTable {
  private readonly lapses = new Map<string, number>();

  heartbeat(member: string, lapse: number): void {
    this.lapses.set(member, lapse);
  }

  /** Live members sorted (by UTF-16 code units, as Array.prototype.sort). */
  live(now: number): string[] {
    const live: string[] = [];
    for (const [member, lapse] of this.lapses) {
      if (lapse > now) live.push(member);
      else this.lapses.delete(member);
    }
    return live.sort();
  }

  leave(member: string): void {
    this.lapses.delete(member);
  }
}
