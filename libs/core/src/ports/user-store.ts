import type { UserRecord } from '../model/user.js';

/** The users who may authenticate (`presence user …` writes, edges read). */
export interface UserStore {
  /** The user of a canonical AOR, or undefined. */
  user(aor: string): Promise<UserRecord | undefined>;
  /** Creates or replaces the user keyed by `record.aor`. */
  putUser(record: UserRecord): Promise<void>;
  /** Removes a user; false when there was none. */
  deleteUser(aor: string): Promise<boolean>;
  /** Every user, ordered by AOR, at most `limit` of them. */
  listUsers(limit: number): Promise<UserRecord[]>;
}
