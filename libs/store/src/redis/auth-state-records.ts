import { randomBytes } from 'node:crypto';
import type { AuthStateStore, Clock } from '@presence/core';
import { assertNonceCount, assertPositiveTtl } from '../ttl-check.js';
import type { RedisCalls } from './redis-calls.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';
import { ttlFrom } from './redis-times.js';

/**
 * Digest authentication state shared by every edge: the nonce key in
 * `noncekey` (set if absent by the first caller, no TTL), used nonce counts
 * in `nc:{nonce}` and failure counters in `authfail:{key}`. Counts and
 * counters change in one Lua script each and lapse by the injected clock,
 * as the memory twin's do; their key TTL (from the same clock, relative)
 * only collects them.
 */
export class AuthStateRecords implements AuthStateStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly clock: Clock,
  ) {}

  /** GET; when absent, SET NX of 32 random bytes in hex and GET again, so racing callers all end with the winner's key. */
  async nonceKey(): Promise<string> {
    const key = this.keys.nonceKey();
    const existing = await this.calls.run('nonceKey', () => this.client.get(key));
    if (existing !== null) return existing;
    const candidate = randomBytes(32).toString('hex');
    await this.calls.run('nonceKey', () => this.client.set(key, candidate, 'NX'));
    const winner = await this.calls.run('nonceKey', () => this.client.get(key));
    // Only a DEL between the two calls leaves nothing: then ours is as good as any.
    return winner ?? candidate;
  }

  async acceptNonceCount(nonce: string, nc: number, ttlMs: number): Promise<boolean> {
    this.calls.assertOpen();
    assertNonceCount(nc);
    assertPositiveTtl('nonce count ttlMs', ttlMs);
    const now = this.clock.now();
    const lapse = now + ttlMs;
    const accepted = await this.calls.run('acceptNonceCount', () => this.scripts['nonce-count']([this.keys.nonceCount(nonce)], [nc, now, lapse, ttlFrom(lapse, now)]));
    return accepted === 1;
  }

  async countAuthFailure(key: string, ttlMs: number): Promise<number> {
    this.calls.assertOpen();
    assertPositiveTtl('auth failure ttlMs', ttlMs);
    const now = this.clock.now();
    const lapse = now + ttlMs;
    return (await this.calls.run('countAuthFailure', () => this.scripts['auth-failure']([this.keys.authFailures(key)], [now, lapse, ttlFrom(lapse, now)]))) as number;
  }

  async authFailures(key: string): Promise<number> {
    const [count, lapse] = await this.calls.run('authFailures', () => this.client.hmget(this.keys.authFailures(key), 'n', 'lapse'));
    if (count === null || count === undefined || Number(lapse) <= this.clock.now()) return 0;
    return Number(count);
  }

  async clearAuthFailures(key: string): Promise<void> {
    await this.calls.run('clearAuthFailures', () => this.client.del(this.keys.authFailures(key)));
  }
}
