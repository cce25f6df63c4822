import type { UserRecord } from '@presence/core';
import { FakeClock } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { CachedUsers, USER_CACHE_TTL_MS } from './cached-users.js';

const alice = (password: string): UserRecord => ({ aor: 'sip:alice@example.com', username: 'alice', realm: 'example.com', enabled: true, ha1: { MD5: password, 'SHA-256': password } });

/** A store whose users the test changes behind the cache's back, counting reads. */
function fakeStore() {
  const users = new Map<string, UserRecord>();
  const store = {
    reads: 0,
    users,
    user: async (aor: string) => {
      store.reads++;
      return users.get(aor);
    },
  };
  return store;
}

describe('CachedUsers', () => {
  it('answers a user from memory until USER_CACHE_TTL_MS has passed, then sees the changed password', async () => {
    const clock = new FakeClock();
    const store = fakeStore();
    store.users.set('sip:alice@example.com', alice('old'));
    const cache = new CachedUsers(store, clock);
    expect((await cache.user('sip:alice@example.com'))?.ha1.MD5).toBe('old');
    store.users.set('sip:alice@example.com', alice('new'));
    clock.advance(USER_CACHE_TTL_MS - 1);
    expect((await cache.user('sip:alice@example.com'))?.ha1.MD5).toBe('old');
    expect(store.reads).toBe(1);
    clock.advance(1);
    expect((await cache.user('sip:alice@example.com'))?.ha1.MD5).toBe('new');
    expect(store.reads).toBe(2);
  });

  it('sees a deleted user within the TTL and forgets it', async () => {
    const clock = new FakeClock();
    const store = fakeStore();
    store.users.set('sip:alice@example.com', alice('pw'));
    const cache = new CachedUsers(store, clock, { ttlMs: 1_000 });
    await cache.user('sip:alice@example.com');
    store.users.delete('sip:alice@example.com');
    clock.advance(1_000);
    expect(await cache.user('sip:alice@example.com')).toBeUndefined();
    store.users.set('sip:alice@example.com', alice('again'));
    expect((await cache.user('sip:alice@example.com'))?.ha1.MD5).toBe('again');
  });

  it('never remembers an unknown user, so one added is usable at once', async () => {
    const clock = new FakeClock();
    const store = fakeStore();
    const cache = new CachedUsers(store, clock);
    expect(await cache.user('sip:alice@example.com')).toBeUndefined();
    store.users.set('sip:alice@example.com', alice('pw'));
    expect((await cache.user('sip:alice@example.com'))?.ha1.MD5).toBe('pw');
    expect(store.reads).toBe(2);
  });

  it('keeps at most `entries` users, dropping the least recently used', async () => {
    const clock = new FakeClock();
    const store = fakeStore();
    for (const name of ['a', 'b', 'c']) store.users.set(`sip:${name}@example.com`, { ...alice(name), aor: `sip:${name}@example.com`, username: name });
    const cache = new CachedUsers(store, clock, { entries: 2 });
    await cache.user('sip:a@example.com');
    await cache.user('sip:b@example.com');
    await cache.user('sip:a@example.com');
    await cache.user('sip:c@example.com');
    expect(store.reads).toBe(3);
    await cache.user('sip:a@example.com');
    expect(store.reads).toBe(3);
    await cache.user('sip:b@example.com');
    expect(store.reads).toBe(4);
  });
});
