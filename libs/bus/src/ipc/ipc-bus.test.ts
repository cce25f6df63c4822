import { MessageChannel } from 'node:worker_threads';
import { busContract } from '../bus.contract.js';
import { LocalBus } from '../memory/local-bus.js';
import { messagePortChannel } from './ipc-channel.js';
import { IpcBus } from './ipc-bus.js';
import { IpcBusHost } from './ipc-bus-host.js';

/** The worker's IpcBus against a host on a LocalBus, over a real MessagePort pair (frames cloned, delivered asynchronously). */
busContract('IpcBus over a MessagePort', async () => {
  const { port1, port2 } = new MessageChannel();
  const hostBus = new LocalBus();
  const host = new IpcBusHost(hostBus, messagePortChannel(port1));
  const bus = new IpcBus(messagePortChannel(port2));
  return {
    bus,
    reconnect: async () => hostBus.simulateReconnect(),
    async cleanup() {
      await bus.close();
      host.close();
      await hostBus.close();
      port1.close();
      port2.close();
    },
  };
});
