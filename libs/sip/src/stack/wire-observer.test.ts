import { afterEach, describe, expect, it } from 'vitest';
import { newCallId, newTag } from '../ids/random-ids.js';
import type { Flow, TransportName } from '../transport/transport-types.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack, SipStackOptions, WireDirection } from './stack-types.js';

interface Seen {
  readonly direction: WireDirection;
  readonly text: string;
  readonly flow: Pick<Flow, 'transport' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>;
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

function observer(into: Seen[]) {
  return (direction: WireDirection, data: Buffer, flow: Flow) => {
    const { transport, localAddress, localPort, remoteAddress, remotePort } = flow;
    into.push({ direction, text: data.toString('utf8'), flow: { transport, localAddress, localPort, remoteAddress, remotePort } });
  };
}

describe.each(['udp', 'tcp', 'ws'] as const)('wire observer over %s', (transport: TransportName) => {
  it('onWire - sees the request in and the response out with their bytes, transport and both addresses', async () => {
    const serverSeen: Seen[] = [];
    const clientSeen: Seen[] = [];
    const server = await started({ listen: [{ transport, host: '127.0.0.1', port: 0 }], onWire: observer(serverSeen) });
    const client = await started({ listen: transport === 'ws' ? [] : [{ transport, host: '127.0.0.1', port: 0 }], onWire: observer(clientSeen) });
    const port = server.listeners[0]!.port;
    const callId = newCallId();
    const body = 'Grüße ✓';
    const response = await client.sendRequest(
      {
        method: 'MESSAGE',
        uri: 'sip:bob@example.com',
        headers: { From: `<sip:alice@example.com>;tag=${newTag()}`, To: '<sip:bob@example.com>', 'Call-ID': callId, CSeq: '1 MESSAGE', 'Content-Type': 'text/plain' },
        body,
      },
      { uri: `sip:127.0.0.1:${port};transport=${transport}` },
    );
    expect(response.status).toBe(200);

    expect(serverSeen.map((s) => s.direction)).toEqual(['in', 'out']);
    const [request, answer] = serverSeen as [Seen, Seen];
    expect(request.text).toMatch(/^MESSAGE sip:bob@example\.com SIP\/2\.0\r\n/);
    expect(request.text).toContain(`Call-ID: ${callId}\r\n`);
    expect(request.text.endsWith(`\r\n\r\n${body}`)).toBe(true);
    expect(answer.text).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(answer.text).toContain(`Call-ID: ${callId}\r\n`);
    for (const seen of serverSeen) {
      expect(seen.flow.transport).toBe(transport);
      expect(seen.flow.localPort).toBe(port);
      expect(seen.flow.remoteAddress).toMatch(/127\.0\.0\.1$/);
      expect(seen.flow.remotePort).toBeGreaterThan(0);
    }
    // The client saw the same two messages the other way round.
    expect(clientSeen.map((s) => s.direction)).toEqual(['out', 'in']);
    expect(clientSeen[0]!.text).toBe(request.text);
    expect(clientSeen[1]!.text).toBe(answer.text);
    expect(clientSeen[1]!.flow.remotePort).toBe(port);
  });
});

describe('wire observer failures', () => {
  it('onWire - an observer that throws is logged and the exchange still completes', async () => {
    const errors: string[] = [];
    const logger = { debug: () => undefined, warn: () => undefined, error: (_: object, message: string) => void errors.push(message) };
    const server = await started({
      listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
      logger,
      onWire: () => {
        throw new Error('tracer bug');
      },
    });
    const client = await started({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }] });
    const response = await client.sendRequest(
      { method: 'OPTIONS', uri: 'sip:bob@example.com', headers: { From: `<sip:a@example.com>;tag=${newTag()}`, To: '<sip:bob@example.com>', 'Call-ID': newCallId(), CSeq: '1 OPTIONS' } },
      { uri: `sip:127.0.0.1:${server.listeners[0]!.port}` },
    );
    expect(response.status).toBe(200);
    expect(errors).toEqual(['SIP wire observer failed; message handled anyway', 'SIP wire observer failed; message handled anyway']);
  });
});
