import type { UserRecord } from '@presence/core';
import { compareAors, copyUserRecord } from '../user-record-check.js';

/**
 * The users who may authenticate, by canonical AOR, like Redis `user:{aor}`
 * with the `users` index. Records are frozen copies. With a data directory
 * the table mirrors `users.json` (see UsersFileSync), never the snapshot.
 */
export class UserTable {
  private users = new Map<string, UserRecord>();

  get size(): number {
    return this.users.size;
  }

  get(aor: string): UserRecord | undefined {
    return this.users.get(aor);
  }

  put(record: UserRecord): void {
    this.users.set(record.aor, copyUserRecord(record));
  }

  delete(aor: string): boolean {
    return this.users.delete(aor);
  }

  /** At most `limit` users ordered by AOR (compareAors). */
  list(limit: number): UserRecord[] {
    if (limit === 0) return [];
    return Array.from(this.users.values()).sort((a, b) => compareAors(a.aor, b.aor)).slice(0, limit);
  }

  /** Replaces every user at once (a reload of users.json). */
  replaceAll(records: readonly UserRecord[]): void {
    const next = new Map<string, UserRecord>();
    for (const record of records) next.set(record.aor, copyUserRecord(record));
    this.users = next;
  }
}
