import { MessageChannel } from 'node:worker_threads';
import { IpcBus, IpcBusHost, LocalBus, messagePortChannel } from '@presence/bus';
import { systemClock } from '@presence/core';
import { createIpcStore, createMemoryStore, IpcStoreHost, isStoreFrame } from '@presence/store';
import { presenceBehaviourSuite, type PresenceTarget } from '@presence/testkit/behaviour';
import { startStandaloneTarget, type StandaloneTargetOptions } from './standalone-target.js';

/**
 * The edge of a standalone server on IpcBus and createIpcStore, reaching the
 * agent's LocalBus and MemoryStore only through their hosts over real
 * MessagePorts, frames as a worker process would send them: the behaviour
 * suite shows the adapters carry everything an edge does (the first half of
 * "Standalone on more than one core"; the processes and the shared socket
 * are the other).
 */
async function startIpcEdgeTarget(options: StandaloneTargetOptions = {}): Promise<PresenceTarget> {
  const bus = new LocalBus();
  const store = await createMemoryStore({ clock: systemClock });
  const busLink = new MessageChannel();
  const storeLink = new MessageChannel();
  const busHost = new IpcBusHost(bus, messagePortChannel(busLink.port1));
  const storeHost = new IpcStoreHost(store, messagePortChannel(storeLink.port1, isStoreFrame));
  const edgeBackends = { bus: new IpcBus(messagePortChannel(busLink.port2)), store: createIpcStore(messagePortChannel(storeLink.port2, isStoreFrame)) };
  const target = await startStandaloneTarget({ ...options, bus, store, edgeBackends });
  return {
    ...target,
    async stop() {
      await target.stop();
      busHost.close();
      storeHost.close();
      for (const port of [busLink.port1, busLink.port2, storeLink.port1, storeLink.port2]) port.close();
    },
  };
}

presenceBehaviourSuite('standalone, edge on IPC adapters', 'udp', () => startIpcEdgeTarget({ auth: 'digest' }), { authenticated: true });
presenceBehaviourSuite('standalone, edge on IPC adapters', 'tcp', () => startIpcEdgeTarget());
