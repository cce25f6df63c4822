import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { systemClock } from '@presence/core';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import { storeContract } from '../store.contract.js';
import { openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';
import { isStoreFrame, type StoreChannel } from './ipc-store-frames.js';
import { createIpcStore } from './ipc-store.js';
import { IpcStoreHost } from './ipc-store-host.js';

/**
 * A StoreChannel over one end of a real MessagePort pair, frames sent as JSON
 * text as Node's process IPC (json serialization, what node:cluster uses)
 * sends them: NaN and undefined arrive as JSON makes them.
 */
function portChannel(port: MessagePort): StoreChannel {
  return {
    send: (frame) => port.postMessage(JSON.stringify(frame)),
    onFrame(listener) {
      const filtered = (text: unknown): void => {
        const message: unknown = JSON.parse(text as string);
        if (isStoreFrame(message)) listener(message);
      };
      port.on('message', filtered);
      return () => void port.off('message', filtered);
    },
  };
}

/** The worker's IpcStore against a host over a MemoryStore: the Store contract, as the memory twin passes it. */
storeContract('IpcStore over a MessagePort', async (clock) => {
  const { store: real, inspect } = await openMemoryStoreForTest({ clock });
  const { port1, port2 } = new MessageChannel();
  const host = new IpcStoreHost(real, portChannel(port1));
  const store = createIpcStore(portChannel(port2));
  const others: Array<{ close(): Promise<void> }> = [];
  return {
    store,
    inspect,
    openNewDataSet: async () => {
      const other = (await openMemoryStoreForTest({ clock })).store;
      others.push(other);
      return other;
    },
    async cleanup() {
      await store.close();
      host.close();
      await Promise.all([real, ...others].map((s) => s.close()));
      port1.close();
      port2.close();
    },
  };
});

describe('IpcStore specifics', () => {
  it('a call the primary never answers fails as unavailable (503), and ping says false', async () => {
    const { port1, port2 } = new MessageChannel();
    const store = createIpcStore(portChannel(port2), { callTimeoutMs: 50 });
    const failure = await store.loadDialog('sub-1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as StoreUnavailableError).retryAfterSeconds).toBe(1);
    expect(await store.ping()).toBe(false);
    await store.close();
    port1.close();
    port2.close();
  });

  it('close() waits for calls in flight, then refuses new ones; the real store stays open', async () => {
    const { store: real } = await openMemoryStoreForTest({ clock: systemClock });
    const { port1, port2 } = new MessageChannel();
    const host = new IpcStoreHost(real, portChannel(port1));
    const store = createIpcStore(portChannel(port2));
    const inFlight = store.nonceKey();
    await store.close();
    expect(typeof (await inFlight)).toBe('string');
    await expect(store.nonceKey()).rejects.toThrow(/closed/);
    expect(await real.ping()).toBe(true);
    host.close();
    await real.close();
    port1.close();
    port2.close();
  });
});
