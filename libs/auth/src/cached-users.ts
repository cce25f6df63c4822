import { RecentMap, type Clock, type UserRecord, type UserStore } from '@presence/core';

/**
 * How long a user read from the store is trusted: a changed password, a
 * disabled or a deleted user is seen by every edge within this time.
 */
export const USER_CACHE_TTL_MS = 5_000;
/** Users remembered, the most recently used kept. */
export const USER_CACHE_ENTRIES = 10_000;

export interface CachedUsersOptions {
  readonly ttlMs?: number;
  readonly entries?: number;
}

/**
 * The user lookup of the digest path, remembered for a few seconds: a phone
 * authenticates every REGISTER, SUBSCRIBE and PUBLISH, and on Redis each
 * lookup is a round trip the edge and Redis both pay for. Only users found
 * are kept; an unknown name always asks the store, so a user just added
 * can authenticate at once and guessed names cannot crowd out real users.
 * Nothing tells an edge that another process changed a user, so the only
 * invalidation is age: USER_CACHE_TTL_MS bounds how stale an answer can be.
 */
export class CachedUsers implements Pick<UserStore, 'user'> {
  private readonly ttlMs: number;
  private readonly users: RecentMap<string, { readonly user: UserRecord; readonly readAt: number }>;

  constructor(
    private readonly store: Pick<UserStore, 'user'>,
    private readonly clock: Clock,
    options: CachedUsersOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? USER_CACHE_TTL_MS;
    this.users = new RecentMap(options.entries ?? USER_CACHE_ENTRIES);
  }

  async user(aor: string): Promise<UserRecord | undefined> {
    const now = this.clock.now();
    const cached = this.users.get(aor);
    if (cached !== undefined && now - cached.readAt < this.ttlMs) return cached.user;
    const user = await this.store.user(aor);
    if (user === undefined) this.users.delete(aor);
    else this.users.set(aor, { user, readAt: now });
    return user;
  }
}
