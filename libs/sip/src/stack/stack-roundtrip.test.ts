import { eventually, sharedTestCertificate } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { newCallId, newTag } from '../ids/random-ids.js';
import type { IncomingRequest, OutgoingRequest } from '../message/message-types.js';
import type { TransportName } from '../transport/transport-types.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack, SipStackOptions } from './stack-types.js';

function request(method: string, uri: string, body?: string | Uint8Array): OutgoingRequest {
  return {
    method,
    uri,
    headers: {
      From: `"Ålice" <sip:alice@example.com>;tag=${newTag()}`,
      To: '<sip:bob@example.com>',
      'Call-ID': newCallId(),
      CSeq: `1 ${method}`,
      ...(body === undefined ? {} : { 'Content-Type': 'text/plain;charset=utf-8' }),
    },
    body,
  };
}

const stacks: SipStack[] = [];
async function started(options: Partial<SipStackOptions> & Pick<SipStackOptions, 'listen'>): Promise<SipStack> {
  // Every stack presents and trusts the test certificate: tls/wss listeners need one, tls/wss clients check it.
  const certificate = sharedTestCertificate();
  const stack = createSipStack({ onRequest: (r) => r.respond(200), tls: { certificate, trustedCa: certificate.cert }, ...options });
  stacks.push(stack);
  await stack.start();
  return stack;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

/** A client's listeners: none for WebSocket (as a browser), else one of its transport. */
function clientListen(transport: TransportName): SipStackOptions['listen'] {
  return transport === 'ws' || transport === 'wss' ? [] : [{ transport, host: '127.0.0.1', port: 0 }];
}

describe.each(['udp', 'tcp', 'tls', 'ws', 'wss'] as const)('stack over %s', (transport: TransportName) => {
  it('roundtrip - request and final response with a UTF-8 body; User-Agent and Server from the stacks', async () => {
    const seen: IncomingRequest[] = [];
    const server = await started({
      listen: [{ transport, host: '127.0.0.1', port: 0 }],
      userAgent: 'server/1.0',
      onRequest: (r) => {
        seen.push(r);
        r.respond(200, 'Fine', { headers: { 'Content-Type': 'text/plain', 'X-Echo': r.body }, body: `echo: ${r.body}` });
      },
    });
    const client = await started({ listen: clientListen(transport), userAgent: 'client/2.0 (test)' });
    const port = server.listeners[0]!.port;
    const body = 'Grüße, 世界 ✓';
    const response = await client.sendRequest(request('MESSAGE', 'sip:bob@example.com', body), {
      uri: `sip:127.0.0.1:${port};transport=${transport}`,
    });

    expect(response.status).toBe(200);
    expect(response.reason).toBe('Fine');
    expect(response.body).toBe(`echo: ${body}`);
    expect(response.header('x-echo')).toBe(body);
    expect(response.contentType).toBe('text/plain');
    expect(response.to.params.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(response.from.displayName).toBe('Ålice');
    expect(response.header('server')).toBe('server/1.0');
    expect(seen).toHaveLength(1);
    const got = seen[0]!;
    expect(got.method).toBe('MESSAGE');
    expect(got.body).toBe(body);
    expect(got.contentType).toBe('text/plain');
    expect(got.maxForwards).toBe(70);
    expect(got.header('user-agent')).toBe('client/2.0 (test)');
    expect(got.flow.transport).toBe(transport);
    expect(got.flow.localPort).toBe(port);
    expect(got.flow.remoteAddress).toMatch(/127\.0\.0\.1$/);
    const via = got.headerValues('via')[0]!;
    expect(via).toContain(`SIP/2.0/${transport.toUpperCase()} `);
    expect(via).toContain(`received=${got.flow.remoteAddress}`);
    if (transport === 'udp') expect(via).toContain(`rport=${got.flow.remotePort}`);
  });

  it('roundtrip - a body encoded once as a Buffer arrives intact in every request that carries it', async () => {
    const received: string[] = [];
    const server = await started({
      listen: [{ transport, host: '127.0.0.1', port: 0 }],
      onRequest: (r) => {
        received.push(r.body);
        r.respond(200);
      },
    });
    const client = await started({ listen: clientListen(transport) });
    const text = '<presence entity="sip:alice@example.com"><note>Grüße ✓</note></presence>';
    const body = Buffer.from(text, 'utf8');
    const target = { uri: `sip:127.0.0.1:${server.listeners[0]!.port};transport=${transport}` };
    for (let i = 0; i < 3; i++) {
      expect((await client.sendRequest(request('NOTIFY', 'sip:bob@example.com', body), target)).status).toBe(200);
    }
    expect(received).toEqual([text, text, text]);
    expect(body.toString('utf8')).toBe(text);
  });

  it('roundtrip - the server sends a request back on the flow token', async () => {
    let flowToken = '';
    const server = await started({
      listen: [{ transport, host: '127.0.0.1', port: 0 }],
      onRequest: (r) => {
        flowToken = r.flow.token;
        r.respond(202, undefined, { toTag: 'dialog1', headers: { Contact: server.contactUri(transport) } });
      },
    });
    const notified: IncomingRequest[] = [];
    const client = await started({
      listen: clientListen(transport),
      onRequest: (r) => {
        notified.push(r);
        r.respond(200);
      },
    });
    const port = server.listeners[0]!.port;
    const subscribed = await client.sendRequest(request('SUBSCRIBE', 'sip:bob@example.com'), {
      uri: `sip:127.0.0.1:${port};transport=${transport}`,
    });
    expect(subscribed.status).toBe(202);
    expect(subscribed.reason).toBe('Accepted');
    expect(subscribed.to.params.tag).toBe('dialog1');
    // RFC 7118 §5.2: transport=ws names WS and WSS alike.
    expect(subscribed.header('contact')).toBe(`sip:127.0.0.1:${port};transport=${transport === 'wss' ? 'ws' : transport}`);

    const notify = await server.sendRequest(request('NOTIFY', client.contactUri(transport), '<presence/>'), { flow: flowToken });
    expect(notify.status).toBe(200);
    expect(notified.map((r) => r.method)).toEqual(['NOTIFY']);
    expect(notified[0]!.body).toBe('<presence/>');
  });
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
    expect(server.stats()).toEqual({ connections: new Map([['tcp', 0], ['ws', 0]]), serverTransactions: 0, clientTransactions: 0, pendingRequests: new Map(), requestsInProgress: 0 });

    const client = await started({ listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }] });
    const tcpPort = server.listeners.find((l) => l.transport === 'tcp')!.port;
    const answered = client.sendRequest(request('NOTIFY', 'sip:watcher@example.com'), { uri: `sip:127.0.0.1:${tcpPort};transport=tcp` });
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
    const response = await stopped.sendRequest(request('NOTIFY', 'sip:watcher@example.com'), { uri: `sip:127.0.0.1:${closedPort};transport=tcp` });
    expect(response.status).toBe(503);
    expect(stopped.stats()).toMatchObject({ clientTransactions: 0, pendingRequests: new Map([['NOTIFY', 0]]) });
  });
});
