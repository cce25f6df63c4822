import { storeContract } from '../store.contract.js';
import { openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';

storeContract('MemoryStore', async (clock) => {
  const { store, inspect } = await openMemoryStoreForTest({ clock });
  return { store, inspect, cleanup: () => store.close() };
});
