import type { Clock, MembershipStore } from '@presence/core';
import { assertPositiveTtl } from '../ttl-check.js';
import type { RedisCalls } from './redis-calls.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';
import { scoreBound } from './redis-times.js';

/** Members whose heartbeat lapsed this long ago are pruned from the set (readers filter by their own clock anyway). */
const MEMBER_PRUNE_AFTER_MS = 60_000;

/** Live workers in the `members` sorted set (member -> lapse time), judged by the injected clock. */
export class MemberRecords implements MembershipStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly clock: Clock,
  ) {}

  async heartbeat(member: string, ttlMs: number): Promise<void> {
    this.calls.assertOpen();
    assertPositiveTtl('heartbeat ttlMs', ttlMs);
    const now = this.clock.now();
    await this.calls.run('heartbeat', () => this.scripts['member-heartbeat']([this.keys.members()], [member, now + ttlMs, now - MEMBER_PRUNE_AFTER_MS]));
  }

  async liveMembers(): Promise<string[]> {
    const now = this.clock.now();
    const members = await this.calls.run('liveMembers', () => this.client.zrangebyscore(this.keys.members(), `(${scoreBound(now)}`, '+inf'));
    return members.sort();
  }

  async leave(member: string): Promise<void> {
    await this.calls.run('leave', () => this.client.zrem(this.keys.members(), member));
  }
}
