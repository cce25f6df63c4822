import type { UserRecord, UserStore } from '@presence/core';
import { assertListLimit, assertUserRecord, copyUserRecord } from '../user-record-check.js';
import type { RedisCalls } from './redis-calls.js';
import { decodeUser, encodeUser } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Users in `user:{aor}` (one value per AOR, tagged by the AOR so the edges'
 * reads spread over a cluster) and the `users` sorted set (every member
 * scored 0, so ordered by the AOR's bytes) that only listing reads. The two
 * live in different slots, so a change is two commands, ordered so that the
 * record is the truth: put writes the record before indexing it, delete
 * removes the record (authentication stops at once) before unindexing it.
 * An interruption between the two can leave an index entry without a record,
 * which listing skips; running the same command again settles it.
 */
export class UserRecords implements UserStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async user(aor: string): Promise<UserRecord | undefined> {
    const key = this.keys.user(aor);
    const text = await this.calls.run('user', () => this.client.get(key));
    return text === null ? undefined : decodeUser(key, aor, text);
  }

  async putUser(record: UserRecord): Promise<void> {
    this.calls.assertOpen();
    assertUserRecord(record);
    const copy = copyUserRecord(record);
    await this.calls.run('putUser', () => this.client.set(this.keys.user(copy.aor), encodeUser(copy)));
    await this.calls.run('putUser', () => this.client.zadd(this.keys.users(), 0, copy.aor));
  }

  async deleteUser(aor: string): Promise<boolean> {
    const removed = await this.calls.run('deleteUser', () => this.client.del(this.keys.user(aor)));
    await this.calls.run('deleteUser', () => this.client.zrem(this.keys.users(), aor));
    return removed > 0;
  }

  /** Pages through the index in AOR order (at most `limit` entries a page), skipping entries whose record is gone. */
  async listUsers(limit: number): Promise<UserRecord[]> {
    this.calls.assertOpen();
    assertListLimit(limit);
    const users: UserRecord[] = [];
    let from = '-';
    while (users.length < limit) {
      const want = limit - users.length;
      const start = from;
      const aors = await this.calls.run('listUsers', () => this.client.zrangebylex(this.keys.users(), start, '+', 'LIMIT', 0, want));
      const found = await Promise.all(aors.map((aor) => this.user(aor)));
      for (const user of found) if (user !== undefined) users.push(user);
      if (aors.length < want) break;
      from = `(${aors[aors.length - 1] as string}`;
    }
    return users;
  }
}
