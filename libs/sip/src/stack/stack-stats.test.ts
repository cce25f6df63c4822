import { eventually } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { newCallId, newTag } from '../ids/random-ids.js';
import type { IncomingRequest, OutgoingRequest } from '../message/message-types.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack, SipStackOptions } from './stack-types.js';

function notify(): OutgoingRequest {
  return {
    method: 'NOTIFY',
    uri: 'sip:watcher@example.com',
    headers: { From: `<sip:p@example.com>;tag=${newTag()}`, To: `<sip:watcher@example.com>;tag=${newTag()}`, 'Call-ID': newCallId(), CSeq: '1 NOTIFY', Event: 'presence' },
  };
}

const stacks: SipStack[] = [];
async function started(options: Partial<SipStackOptions> & Pick<SipStackOptions, 'listen'>): Promise<SipStack> {
  const stack = createSipStack({ onRequest: (r) => r.respond(200), ...options });
  stacks.push(stack);
  await stack.start();
  return stack;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

describe('stack stats', () => {
  it('stats - connections by transport (every stream transport listened on, none for UDP), transactions alive, requests awaiting their answer', async () => {
    const held: IncomingRequest[] = [];
    const server = await started({
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 0 },
        { transport: 'tcp', host: '127.0.0.1', port: 0 },
        { transport: 'ws', host: '127.0.0.1', port: 0 },
      ],
      onRequest: (r) => void held.push(r),
    });
    expect(server.stats()).toEqual({ connections: new Map([['tcp', 0], ['ws', 0]]), serverTransactions: 0, clientTransactions: 0, pendingRequests: new Map() });

    const client = await started({ listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }] });
    const tcpPort = server.listeners.find((l) => l.transport === 'tcp')!.port;
    const answered = client.sendRequest(notify(), { uri: `sip:127.0.0.1:${tcpPort};transport=tcp` });
    await eventually(() => expect(held).toHaveLength(1));

    expect(client.stats()).toMatchObject({ connections: new Map([['tcp', 1]]), clientTransactions: 1, pendingRequests: new Map([['NOTIFY', 1]]) });
    expect(server.stats()).toMatchObject({ connections: new Map([['tcp', 1], ['ws', 0]]), serverTransactions: 1 });

    held[0]!.respond(200);
    expect((await answered).status).toBe(200);
    // Reliable transport: both transactions end with the final response (Timers J and K are 0).
    expect(client.stats()).toMatchObject({ clientTransactions: 0, pendingRequests: new Map([['NOTIFY', 0]]) });
    expect(server.stats().serverTransactions).toBe(0);

    await client.stop();
    await eventually(() => expect(server.stats().connections).toEqual(new Map([['tcp', 0], ['ws', 0]])));
  });

  it('stats - a request that fails (no flow to its target) is no longer awaited', async () => {
    const client = await started({ listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }] });
    const closedPort = client.listeners[0]!.port;
    await client.stop();
    const stopped = await started({ listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }] });
    const response = await stopped.sendRequest(notify(), { uri: `sip:127.0.0.1:${closedPort};transport=tcp` });
    expect(response.status).toBe(503);
    expect(stopped.stats()).toMatchObject({ clientTransactions: 0, pendingRequests: new Map([['NOTIFY', 0]]) });
  });
});
