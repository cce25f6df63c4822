import { afterEach, describe, expect, it } from 'vitest';
import { newCallId, newTag } from '../ids/random-ids.js';
import type { IncomingRequest } from '../message/message-types.js';
import { createSipStack } from '../stack/sip-stack.js';
import type { SipStack } from '../stack/stack-types.js';

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

async function udpStack(onRequest: (r: IncomingRequest) => void = (r) => r.respond(200), alsoTcp = false): Promise<SipStack> {
  // A short T1: a request lost on the way would end in a 408 soon, failing the test.
  const udp = createSipStack({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], onRequest, timers: { t1Ms: 10 } });
  stacks.push(udp);
  await udp.start();
  if (!alsoTcp) return udp;
  const port = udp.listeners[0]!.port;
  await udp.stop();
  // The same port on both transports, as RFC 3261 §18 has a UA listen.
  const both = createSipStack({
    listen: [{ transport: 'udp', host: '127.0.0.1', port }, { transport: 'tcp', host: '127.0.0.1', port }],
    onRequest,
    timers: { t1Ms: 10 },
    limits: { maxMessageBytes: 128 * 1024 }, // the stack's default (64 KiB) is below the message sent
  });
  stacks.push(both);
  await both.start();
  return both;
}

function notify(bodyBytes: number) {
  return {
    method: 'NOTIFY',
    uri: 'sip:watcher@example.com',
    headers: { From: `<sip:alice@example.com>;tag=${newTag()}`, To: '<sip:w@example.com>', 'Call-ID': newCallId(), CSeq: '1 NOTIFY', 'Content-Type': 'text/plain' },
    body: 'x'.repeat(bodyBytes),
  };
}

describe('UDP datagram size', () => {
  it('udp oversize - a request larger than a datagram goes over TCP to the same address and port', async () => {
    const seen: string[] = [];
    const watcher = await udpStack((r) => {
      seen.push(`${r.method} ${r.flow.transport}`);
      r.respond(200);
    }, true);
    const server = await udpStack();
    const uri = `sip:127.0.0.1:${watcher.listeners[0]!.port}`;
    expect((await server.sendRequest(notify(70 * 1024), { uri })).status).toBe(200);
    expect((await server.sendRequest(notify(100), { uri })).status).toBe(200);
    expect(seen).toEqual(['NOTIFY tcp', 'NOTIFY udp']);
  });

  it('udp oversize - a request larger than a datagram, to a peer without TCP, fails as a transport failure (503), never silently', async () => {
    const seen: string[] = [];
    const watcher = await udpStack((r) => {
      seen.push(r.method);
      r.respond(200);
    });
    const port = watcher.listeners.find((l) => l.transport === 'udp')!.port;
    const server = await udpStack();
    const refused = await server.sendRequest(notify(70 * 1024), { uri: `sip:127.0.0.1:${port}` });
    expect(refused.status).toBe(503);
    const fits = await server.sendRequest(notify(60 * 1024), { uri: `sip:127.0.0.1:${port}` });
    expect(fits.status).toBe(200);
    expect(seen).toEqual(['NOTIFY']);
  });
});
