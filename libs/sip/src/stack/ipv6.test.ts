import { createSocket } from 'node:dgram';
import { sharedTestCertificate } from '@presence/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransportName } from '../transport/transport-types.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack } from './stack-types.js';

let ipv6 = false;
beforeAll(async () => {
  ipv6 = await new Promise<boolean>((resolve) => {
    const socket = createSocket('udp6');
    socket.once('error', () => resolve(false));
    socket.bind({ address: '::1', port: 0 }, () => socket.close(() => resolve(true)));
  });
});

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

describe.each(['udp', 'tcp', 'tls', 'ws', 'wss'] as const)('IPv6 over %s', (transport: TransportName) => {
  it('ipv6 - round trip with bracketed Via sent-by and Contact', async (ctx) => {
    if (!ipv6) ctx.skip();
    const certificate = sharedTestCertificate(); // its subjectAltName has IP ::1
    const tls = { certificate, trustedCa: certificate.cert };
    const server = createSipStack({
      listen: [{ transport, host: '::1', port: 0 }],
      tls,
      onRequest: (r) => r.respond(200, undefined, { headers: { 'X-Via': r.header('via') ?? '' } }),
    });
    const client = createSipStack({
      listen: transport === 'ws' || transport === 'wss' ? [] : [{ transport, host: '::1', port: 0 }],
      tls,
      onRequest: (r) => r.respond(200),
      advertisedHost: '::1',
    });
    stacks.push(server, client);
    const [bound] = await server.start();
    await client.start();
    expect(server.contactUri(transport)).toBe(`sip:[::1]:${bound!.port};transport=${transport === 'wss' ? 'ws' : transport}`);
    const response = await client.sendRequest(
      {
        method: 'OPTIONS',
        uri: 'sip:[::1]',
        headers: { From: '<sip:a@[::1]>;tag=1', To: '<sip:b@[::1]>', 'Call-ID': 'v6', CSeq: '1 OPTIONS' },
      },
      { uri: `sip:[::1]:${bound!.port};transport=${transport}` },
    );
    expect(response.status).toBe(200);
    expect(response.header('x-via')).toMatch(new RegExp(`^SIP/2.0/${transport.toUpperCase()} .*;received=::1`));
  });
});
