import type { Binding } from '@presence/core';
import { sleep } from '@presence/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreClosedError } from '../errors/store-closed-error.js';
import { openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';
import { createMemoryStore } from './memory-store.js';

/** MemoryStore beyond the contract: timers, sweeping, close, option checks. */

const T0 = 1_800_000_000_000;

class TestClock {
  time = T0;
  now(): number {
    return this.time;
  }
}

const binding = (expiresAt: number): Binding => ({ contact: '<sip:a@192.0.2.1>', contactKey: 'sip:a@192.0.2.1', expiresAt, callId: 'c', cseq: 1, edgeId: 'e' });

describe('MemoryStore lifecycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sweep - lapsed binding sets and dialogs are dropped without being read', async () => {
    const clock = new TestClock();
    const { store, inspect } = await openMemoryStoreForTest({ clock, sweepIntervalMs: 5, dialogGraceMs: 1_000 });
    await store.replaceBindings('sip:a@example.com', [binding(T0 + 10_000)]);
    await store.replaceBindings('sip:b@example.com', [binding(T0 + 99_000)]);
    await store.saveDialog({
      subscriptionId: 's',
      callId: 'c',
      localTag: 'l',
      remoteTag: 'r',
      remoteUri: 'sip:b@example.com',
      localUri: 'sip:a@example.com',
      remoteTarget: 'sip:b@192.0.2.2',
      routeSet: [],
      presentity: 'sip:a@example.com',
      watcher: 'sip:b@example.com',
      event: 'presence',
      status: 'active',
      localCseq: 1,
      remoteCseq: 1,
      expiresAt: T0 + 10_000,
      edgeId: 'e',
      flow: 'f',
    });
    expect(inspect.counts()).toMatchObject({ bindingSets: 2, dialogs: 1 });
    clock.time = T0 + 11_000;
    const deadline = Date.now() + 2_000;
    while (inspect.counts().dialogs > 0 && Date.now() < deadline) await sleep(5);
    expect(inspect.counts()).toMatchObject({ bindingSets: 1, dialogs: 0 });
    await store.close();
  });

  it('timers - are unref-ed and cleared on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = await createMemoryStore({ clock: new TestClock() });
    expect(vi.getTimerCount()).toBe(1);
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close - later operations reject with StoreClosedError, ping answers false', async () => {
    const store = await createMemoryStore({ clock: new TestClock() });
    await store.close();
    await store.close();
    expect(await store.ping()).toBe(false);
    await expect(store.loadPresentity('sip:a@example.com')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.putWatcher(1, { presentity: 'p', subscriptionId: 's', watcher: 'w', event: 'presence', status: 'active', edgeId: 'e', expiresAt: T0 })).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.replaceBindings('sip:a@example.com', [])).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('records - what the store hands out cannot be changed behind its back', async () => {
    const store = await createMemoryStore({ clock: new TestClock() });
    await store.replaceBindings('sip:a@example.com', [binding(T0 + 10_000)]);
    const [read] = await store.bindings('sip:a@example.com', T0);
    expect(() => {
      (read as { cseq: number }).cseq = 99;
    }).toThrow(TypeError);
    expect((await store.bindings('sip:a@example.com', T0))[0]?.cseq).toBe(1);
    await store.close();
  });

  it('options - nonsensical intervals are refused', async () => {
    await expect(createMemoryStore({ clock: new TestClock(), dialogGraceMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(createMemoryStore({ clock: new TestClock(), sweepIntervalMs: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(createMemoryStore({ clock: new TestClock(), snapshotIntervalMs: Number.NaN })).rejects.toBeInstanceOf(RangeError);
  });
});
