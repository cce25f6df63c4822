import type { Binding, Clock, LocationStore } from '@presence/core';
import type { RedisCalls } from './redis-calls.js';
import { decodeBindings, encodeBindings } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { ttlFrom } from './redis-times.js';

/**
 * Location bindings in `loc:{aor}`: one value per AOR whose key TTL (from
 * the injected clock, relative PX, so Redis's own clock does not matter)
 * ends with its latest binding; reads also judge lapse by the clock, as
 * the memory twin does.
 */
export class BindingRecords implements LocationStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  async bindings(aor: string, now: number): Promise<Binding[]> {
    const key = this.keys.bindings(aor);
    const text = await this.calls.run('bindings', () => this.client.get(key));
    if (text === null) return [];
    const bindings = decodeBindings(key, text);
    // The whole set lapses with its latest binding, by our clock (the key TTL is only its garbage collection).
    if (latestExpiry(bindings) <= this.clock.now()) return [];
    return bindings.filter((binding) => binding.expiresAt > now);
  }

  async replaceBindings(aor: string, next: readonly Binding[]): Promise<void> {
    const key = this.keys.bindings(aor);
    const lapse = latestExpiry(next);
    const now = this.clock.now();
    if (lapse <= now) {
      await this.calls.run('replaceBindings', () => this.client.del(key));
      return;
    }
    await this.calls.run('replaceBindings', () => this.client.set(key, encodeBindings(next), 'PX', ttlFrom(lapse, now)));
  }
}

function latestExpiry(bindings: readonly Binding[]): number {
  let latest = -Infinity;
  for (const binding of bindings) if (binding.expiresAt > latest) latest = binding.expiresAt;
  return latest;
}
