import { storeContract } from '../store.contract.js';
import { createMemoryStore } from './memory-store.js';

storeContract('MemoryStore', async (clock) => {
  const store = await createMemoryStore({ clock });
  return { store, cleanup: () => store.close() };
});
