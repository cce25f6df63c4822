import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { busContract } from '../bus.contract.js';
import { processChannel } from './ipc-channel.js';
import { IpcBus } from './ipc-bus.js';

/**
 * The Bus contract through real process IPC (json serialization, as node:cluster
 * uses): the host and its LocalBus run in a child process built from dist/, this
 * process holds the IpcBus. One child per test, so no frame of one test reaches
 * the next.
 */
const HOST_PROGRAM = `
import { IpcBusHost, LocalBus, processChannel } from '@presence/bus';
const bus = new LocalBus();
const host = new IpcBusHost(bus, processChannel(process));
process.on('message', (message) => {
  if (message?.control === 'reconnect') bus.simulateReconnect();
  if (message?.control === 'exit') {
    host.close();
    void bus.close().then(() => process.disconnect());
  }
});
process.send({ control: 'ready' });
`;

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

async function startHost(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '--eval', HOST_PROGRAM], { cwd: packageRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ control?: string }];
  if (message.control !== 'ready') throw new Error(`bus host child sent ${JSON.stringify(message)} instead of ready`);
  return child;
}

busContract('IpcBus over process IPC', async () => {
  const child = await startHost();
  const bus = new IpcBus(processChannel(child));
  return {
    bus,
    reconnect: async () => void child.send({ control: 'reconnect' }),
    async cleanup() {
      await bus.close();
      const exited = once(child, 'exit');
      child.send({ control: 'exit' });
      await exited;
    },
  };
});
