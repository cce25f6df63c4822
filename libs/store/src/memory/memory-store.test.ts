import { storeContract } from '../store.contract.js';
import { openMemoryStoreForTest } from '../test-support/memory-store-for-test.js';

storeContract('MemoryStore', async (clock) => {
  const { store, inspect } = await openMemoryStoreForTest({ clock });
  const others: Array<{ close(): Promise<void> }> = [];
  const openNewDataSet = async () => {
    const other = (await openMemoryStoreForTest({ clock })).store;
    others.push(other);
    return other;
  };
  return { store, inspect, openNewDataSet, cleanup: async () => void (await Promise.all([store, ...others].map((s) => s.close()))) };
});
