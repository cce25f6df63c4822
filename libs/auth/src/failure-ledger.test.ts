import type { AuthStateStore } from '@presence/core';
import { createMemoryStore } from '@presence/store';
import { FakeClock } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureLedger } from './failure-ledger.js';

const POLICY = { maxFailures: 3, lockoutMs: 60_000 };

describe('failure ledger', () => {
  const stores: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  /** A ledger over a memory store, with the store reads it makes counted. */
  async function setup() {
    const clock = new FakeClock();
    const store = await createMemoryStore({ clock });
    stores.push(store);
    const reads: string[] = [];
    const counted: Pick<AuthStateStore, 'countAuthFailure' | 'authFailures' | 'clearAuthFailures'> = {
      countAuthFailure: (key, ttl) => store.countAuthFailure(key, ttl),
      authFailures: (key) => (reads.push(key), store.authFailures(key)),
      clearAuthFailures: (key) => store.clearAuthFailures(key),
    };
    return { clock, store, reads, ledger: new FailureLedger(counted, clock, POLICY) };
  }

  it('ledger - a key is locked out at the threshold, and free again once its last failure is a lockout period old (seen within the second a count is kept)', async () => {
    const { clock, ledger } = await setup();
    expect(await ledger.recordFailure('src:192.0.2.1')).toBe(1);
    clock.advance(10_000);
    await ledger.recordFailure('src:192.0.2.1');
    expect(await ledger.isLockedOut('src:192.0.2.1')).toBe(false);
    expect(await ledger.recordFailure('src:192.0.2.1')).toBe(3);
    expect(await ledger.isLockedOut('src:192.0.2.1')).toBe(true);
    expect(await ledger.isLockedOut('src:192.0.2.2')).toBe(false);
    clock.advance(59_999);
    expect(await ledger.isLockedOut('src:192.0.2.1')).toBe(true);
    clock.advance(1000);
    expect(await ledger.isLockedOut('src:192.0.2.1')).toBe(false);
  });

  it('ledger - a flood from one key reads the store once per second, and concurrent reads share one', async () => {
    const { clock, reads, ledger } = await setup();
    await Promise.all(Array.from({ length: 100 }, () => ledger.isLockedOut('src:192.0.2.9')));
    for (let i = 0; i < 100; i++) await ledger.isLockedOut('src:192.0.2.9');
    expect(reads).toEqual(['src:192.0.2.9']);
    clock.advance(1000);
    await ledger.isLockedOut('src:192.0.2.9');
    expect(reads).toHaveLength(2);
  });

  it('ledger - failures counted by another edge are seen within a second', async () => {
    const { clock, store, ledger } = await setup();
    expect(await ledger.isLockedOut('user:sip:a@example.com')).toBe(false);
    for (let i = 0; i < 3; i++) await store.countAuthFailure('user:sip:a@example.com', POLICY.lockoutMs);
    expect(await ledger.isLockedOut('user:sip:a@example.com')).toBe(false);
    clock.advance(1000);
    expect(await ledger.isLockedOut('user:sip:a@example.com')).toBe(true);
  });

  it('ledger - forget clears a key with failures and writes nothing for one without', async () => {
    const { store, ledger } = await setup();
    let clears = 0;
    const clear = store.clearAuthFailures.bind(store);
    store.clearAuthFailures = async (key) => (clears++, clear(key));
    await ledger.forget('user:sip:b@example.com');
    expect(clears).toBe(0);
    await ledger.recordFailure('user:sip:b@example.com');
    await ledger.forget('user:sip:b@example.com');
    expect(clears).toBe(1);
    expect(await store.authFailures('user:sip:b@example.com')).toBe(0);
  });

  it('ledger - a failed store read is not kept: the next check asks again', async () => {
    const clock = new FakeClock();
    let fail = true;
    const ledger = new FailureLedger(
      {
        countAuthFailure: async () => 1,
        authFailures: async () => {
          if (fail) throw new Error('store down');
          return 5;
        },
        clearAuthFailures: async () => undefined,
      },
      clock,
      POLICY,
    );
    await expect(ledger.isLockedOut('src:x')).rejects.toThrow('store down');
    fail = false;
    expect(await ledger.isLockedOut('src:x')).toBe(true);
  });
});
