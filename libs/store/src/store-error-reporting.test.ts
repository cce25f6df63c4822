import type { Store } from '@presence/core';
import { describe, expect, it } from 'vitest';
import { StoreClosedError } from './errors/store-closed-error.js';
import { createMemoryStore } from './memory/memory-store.js';
import { STORE_OPERATIONS, type StoreOperation, reportStoreErrors } from './store-error-reporting.js';

const clock = { now: () => 1_800_000_000_000 };

async function reported(): Promise<{ store: Store; inner: Store; failures: Array<[StoreOperation, unknown]> }> {
  const failures: Array<[StoreOperation, unknown]> = [];
  const inner = await createMemoryStore({ clock });
  return { store: reportStoreErrors(inner, (operation, error) => void failures.push([operation, error])), inner, failures };
}

describe('reportStoreErrors', () => {
  it('errors - calls that succeed report nothing and answer as the store does', async () => {
    const { store, failures } = await reported();
    await store.heartbeat('worker-a', 10_000);
    expect(await store.liveMembers()).toEqual(['worker-a']);
    expect(await store.loadPresentity('sip:a@example.com')).toMatchObject({ revision: 0 });
    expect(await store.ping()).toBe(true);
    expect(await store.nonceKey()).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.listUsers(10)).toEqual([]);
    await store.close();
    expect(failures).toEqual([]);
  });

  it('errors - each failing call is reported once by its operation, and the caller gets the same error', async () => {
    const { store, inner, failures } = await reported();
    await inner.close();
    const error = await store.loadPresentity('sip:a@example.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreClosedError);
    await expect(store.acquireLease(1, 'worker-a', 1_000)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.user('sip:a@example.com')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.acceptNonceCount('n', 1, 1_000)).rejects.toBeInstanceOf(StoreClosedError);
    expect(failures.map(([operation]) => operation)).toEqual(['loadPresentity', 'acquireLease', 'user', 'acceptNonceCount']);
    expect(failures[0]![1]).toBe(error);
    expect(await store.ping()).toBe(false);
    expect(failures).toHaveLength(4);
  });

  it('timing - with a timing listener every call, succeeded or failed, is timed once by its operation; ping is not', async () => {
    const inner = await createMemoryStore({ clock });
    const failures: StoreOperation[] = [];
    const timed: Array<[StoreOperation, number]> = [];
    const store = reportStoreErrors(inner, (operation) => void failures.push(operation), (operation, seconds) => void timed.push([operation, seconds]));
    await store.heartbeat('worker-a', 10_000);
    expect(await store.liveMembers()).toEqual(['worker-a']);
    await expect(store.heartbeat('worker-a', 0)).rejects.toBeInstanceOf(RangeError);
    expect(await store.ping()).toBe(true);
    expect(timed.map(([operation]) => operation)).toEqual(['heartbeat', 'liveMembers', 'heartbeat']);
    for (const [, seconds] of timed) expect(seconds).toBeGreaterThanOrEqual(0);
    expect(failures).toEqual(['heartbeat']);
    await store.close();
  });

  it('errors - every Store method but ping is an operation, once', () => {
    expect(new Set(STORE_OPERATIONS).size).toBe(STORE_OPERATIONS.length);
    expect(STORE_OPERATIONS).toContain('commitPresentity');
    expect(STORE_OPERATIONS).not.toContain('ping');
  });

  it('errors - a call refused for its arguments is a failure too', async () => {
    const { store, failures } = await reported();
    await expect(store.heartbeat('worker-a', 0)).rejects.toBeInstanceOf(RangeError);
    expect(failures.map(([operation]) => operation)).toEqual(['heartbeat']);
    await store.close();
  });
});
