import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusMessage } from '../bus.js';
import { BusTimeoutError, NoRespondersError } from '../errors/bus-errors.js';
import { LocalBus } from '../memory/local-bus.js';
import { messagePortChannel } from './ipc-channel.js';
import { IpcBus } from './ipc-bus.js';
import { IpcBusHost } from './ipc-bus-host.js';

/** Behaviour of IpcBus and its host beyond the Bus contract: a host that is gone, the host's bounds, a shared link. */

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once the host has applied every frame the worker sent so far: frames are ordered, so a request's answer comes after them. */
async function reachedHost(bus: IpcBus): Promise<void> {
  await bus.request('nobody.listens', bytes(''), { timeoutMs: 2_000 }).catch(() => undefined);
}

describe('IpcBus specifics', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function link(): { hostBus: LocalBus; bus: IpcBus; host: IpcBusHost; ports: MessageChannel } {
    const ports = new MessageChannel();
    const hostBus = new LocalBus();
    const host = new IpcBusHost(hostBus, messagePortChannel(ports.port1), { maxUnansweredRequests: 2 });
    const bus = new IpcBus(messagePortChannel(ports.port2), { ackLimitMs: 100 });
    cleanups.push(() => ports.port1.close(), () => ports.port2.close(), () => hostBus.close(), () => host.close(), () => bus.close());
    return { hostBus, bus, host, ports };
  }

  it('with no host answering, a request times out on its own and close() and drain() go on after the acknowledgement limit', async () => {
    const { port2 } = new MessageChannel();
    const bus = new IpcBus(messagePortChannel(port2), { ackLimitMs: 50 });
    cleanups.push(() => port2.close());
    await expect(bus.request('pa.1', bytes(''), { timeoutMs: 50 })).rejects.toBeInstanceOf(BusTimeoutError);
    await bus.subscribe('ps.>', () => undefined).drain();
    await bus.close();
    expect(() => bus.publish('ps.1', bytes(''))).toThrow(/closed/);
  });

  it("closing the host (its worker gone) takes the worker's subscriptions off the real bus", async () => {
    const { hostBus, bus, host } = link();
    bus.subscribe('pa.1', (message) => message.respond(bytes('from the worker')), { queue: 'agents' });
    await reachedHost(bus);
    expect(text(await hostBus.request('pa.1', bytes(''), { timeoutMs: 2_000 }))).toBe('from the worker');
    host.close();
    await expect(hostBus.request('pa.1', bytes(''), { timeoutMs: 2_000 })).rejects.toBeInstanceOf(NoRespondersError);
  });

  it('the host remembers at most maxUnansweredRequests requests delivered to the worker: the oldest is forgotten', async () => {
    const { hostBus, bus } = link();
    const seen: BusMessage[] = [];
    bus.subscribe('pa.>', (message) => void seen.push(message));
    await reachedHost(bus);
    seen.length = 0;
    const first = hostBus.request('pa.1', bytes('1'), { timeoutMs: 300 });
    const second = hostBus.request('pa.2', bytes('2'), { timeoutMs: 10_000 });
    const third = hostBus.request('pa.3', bytes('3'), { timeoutMs: 10_000 });
    await eventually(() => seen.length === 3, 'three requests at the worker');
    for (const message of seen) message.respond(bytes(`answer ${text(message.data)}`));
    await expect(first).rejects.toBeInstanceOf(BusTimeoutError);
    expect(text(await second)).toBe('answer 2');
    expect(text(await third)).toBe('answer 3');
  });

  it('other messages on the same link are left alone', async () => {
    const { bus, ports } = link();
    const received: string[] = [];
    bus.subscribe('ps.a', (message) => void received.push(text(message.data)));
    ports.port1.postMessage({ unrelated: true });
    ports.port1.postMessage('text');
    bus.publish('ps.a', bytes('still works'));
    await eventually(() => received.length === 1, 'the publication');
    expect(received).toEqual(['still works']);
  });
});
