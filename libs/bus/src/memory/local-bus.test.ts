import { busContract } from '../bus.contract.js';
import { LocalBus } from './local-bus.js';

busContract('LocalBus', async () => {
  const bus = new LocalBus();
  return {
    bus,
    reconnect: async () => bus.simulateReconnect(),
    cleanup: () => bus.close(),
  };
});
