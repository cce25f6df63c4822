import { once } from 'node:events';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { createTestCertificate, eventually, rawTcp, sharedTestCertificate, type TestCertificate } from '@presence/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newCallId, newTag } from '../ids/random-ids.js';
import type { IncomingRequest, OutgoingRequest } from '../message/message-types.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack, SipStackOptions } from './stack-types.js';

function request(method: string, uri = 'sip:bob@example.com'): OutgoingRequest {
  return {
    method,
    uri,
    headers: { From: `<sip:alice@example.com>;tag=${newTag()}`, To: '<sip:bob@example.com>', 'Call-ID': newCallId(), CSeq: `1 ${method}` },
  };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function started(options: Partial<SipStackOptions> & Pick<SipStackOptions, 'listen'>): Promise<SipStack> {
  const stack = createSipStack({ onRequest: (r) => r.respond(200), ...options });
  cleanup.push(() => stack.stop());
  await stack.start();
  return stack;
}

/** A server with udp, tls and wss listeners presenting `certificate`; its requests are kept. */
async function secureServer(certificate: TestCertificate, seen: IncomingRequest[] = []): Promise<{ stack: SipStack; udp: number; tls: number; wss: number }> {
  const stack = await started({
    listen: (['udp', 'tls', 'wss'] as const).map((transport) => ({ transport, host: '127.0.0.1', port: 0 })),
    tls: { certificate },
    onRequest: (r) => {
      seen.push(r);
      r.respond(200);
    },
  });
  const port = (transport: string) => stack.listeners.find((l) => l.transport === transport)!.port;
  return { stack, udp: port('udp'), tls: port('tls'), wss: port('wss') };
}

/** A bare TLS handshake; resolves with the socket once secure, rejects on a handshake failure. */
async function handshake(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
  cleanup.push(() => void socket.destroy());
  await once(socket, 'secureConnect');
  return socket;
}

let first: TestCertificate;
let second: TestCertificate;
beforeAll(() => {
  first = sharedTestCertificate();
  second = createTestCertificate();
});
afterAll(() => second.remove());

describe('tls', () => {
  it('versions - a TLS 1.1 client is refused, TLS 1.2 and 1.3 clients are served; a refusal costs its connection only and is counted', async () => {
    const { stack, tls, wss } = await secureServer(first);
    // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all: the refusal must come from the server.
    const old = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    await expect(handshake(tls, old)).rejects.toThrow();
    await expect(handshake(wss, old)).rejects.toThrow();
    await eventually(() => expect(stack.counters.tlsHandshakeFailures).toBe(2));

    expect((await handshake(tls, { maxVersion: 'TLSv1.2' })).getProtocol()).toBe('TLSv1.2');
    expect((await handshake(wss, { minVersion: 'TLSv1.3' })).getProtocol()).toBe('TLSv1.3');
    const client = await started({ listen: [], tls: { trustedCa: first.cert } });
    expect((await client.sendRequest(request('OPTIONS'), { uri: `sip:127.0.0.1:${tls};transport=tls` })).status).toBe(200);
    expect(stack.counters.tlsHandshakeFailures).toBe(2);
  });

  it('garbage - plain SIP or junk on a TLS port fails the handshake of that connection only; the listener serves on', async () => {
    const { stack, tls } = await secureServer(first);
    const plain = await rawTcp(tls);
    plain.send('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK1\r\n\r\n');
    await plain.closed;
    const junk = await rawTcp(tls);
    junk.send('\x16\x03\x01\x00\x05\xff\xff\xff\xff\xff');
    await junk.closed;
    await eventually(() => expect(stack.counters.tlsHandshakeFailures).toBe(2));
    const client = await started({ listen: [], tls: { trustedCa: first.cert } });
    expect((await client.sendRequest(request('OPTIONS'), { uri: `sips:127.0.0.1:${tls}` })).status).toBe(200);
  });

  it('reload - new connections get the new certificate, established ones stay up and carry requests; a bad one changes nothing', async () => {
    const seen: IncomingRequest[] = [];
    const { stack, tls, wss } = await secureServer(first, seen);
    const notified: IncomingRequest[] = [];
    const client = await started({
      listen: [],
      tls: { trustedCa: first.cert },
      onRequest: (r) => {
        notified.push(r);
        r.respond(200);
      },
    });
    for (const uri of [`sip:127.0.0.1:${tls};transport=tls`, `sip:127.0.0.1:${wss};transport=wss`]) {
      expect((await client.sendRequest(request('SUBSCRIBE'), { uri })).status).toBe(200);
    }
    expect((await handshake(tls)).getPeerX509Certificate()?.fingerprint256).toBe(first.fingerprint);

    stack.reloadCertificate(second);
    expect((await handshake(tls)).getPeerX509Certificate()?.fingerprint256).toBe(second.fingerprint);
    expect((await handshake(wss)).getPeerX509Certificate()?.fingerprint256).toBe(second.fingerprint);
    for (const subscribe of seen) {
      expect((await stack.sendRequest(request('NOTIFY'), { flow: subscribe.flow.token })).status).toBe(200);
    }
    expect(notified.map((r) => r.flow.transport)).toEqual(['tls', 'wss']);

    expect(() => stack.reloadCertificate({ cert: 'not a certificate', key: second.key })).toThrow(/the previous one stays.*certificate:/);
    expect(() => stack.reloadCertificate({ cert: first.cert, key: second.key })).toThrow(/certificate and private key/);
    expect((await handshake(tls)).getPeerX509Certificate()?.fingerprint256).toBe(second.fingerprint);
    expect((await handshake(tls, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }).catch(() => 'refused'))).toBe('refused');
  });

  it('certificate - a tls or wss listener without a usable certificate is a construction error naming the part', () => {
    const listen = [{ transport: 'wss' as const, host: '127.0.0.1', port: 0 }];
    expect(() => createSipStack({ listen, onRequest: () => undefined })).toThrow(/wss listener needs tls.certificate/);
    expect(() => createSipStack({ listen, tls: { certificate: { cert: first.cert, key: '' } }, onRequest: () => undefined })).toThrow(/private key: empty/);
    expect(() => createSipStack({ listen, tls: { certificate: { cert: first.key, key: first.key } }, onRequest: () => undefined })).toThrow(
      /TLS certificate not usable: certificate:/,
    );
    const plain = createSipStack({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], onRequest: () => undefined });
    expect(() => plain.reloadCertificate(first)).toThrow(/no tls or wss listener/);
  });

  it('sips - a SIPS target is not sent on an insecure flow: the request goes over a new TLS connection, unverified unless CAs are given', async () => {
    const ua = await secureServer(first);
    const got: IncomingRequest[] = [];
    const server = await started({
      listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
      onRequest: (r) => {
        got.push(r);
        r.respond(200);
      },
    });
    const uaClient = await started({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }] });
    expect((await uaClient.sendRequest(request('SUBSCRIBE'), { uri: `sip:127.0.0.1:${server.listeners[0]!.port}` })).status).toBe(200);
    const flow = got[0]!.flow.token;

    expect((await server.sendRequest(request('NOTIFY'), { flow, uri: `sip:127.0.0.1:${ua.tls};transport=tls` })).status).toBe(200);
    expect((await server.sendRequest(request('NOTIFY'), { flow, uri: `sips:127.0.0.1:${ua.tls}` })).status).toBe(200);
    expect((await server.sendRequest(request('NOTIFY'), { uri: `sips:127.0.0.1:${ua.wss};transport=ws` })).status).toBe(200);
    // The first NOTIFY took the UDP flow (to uaClient); the SIPS ones reached the UA's TLS and WSS listeners.
    expect(ua.stack.counters.requestsReceived).toBe(2);

    const verifying = await started({ listen: [], tls: { trustedCa: second.cert } });
    expect((await verifying.sendRequest(request('OPTIONS'), { uri: `sips:127.0.0.1:${ua.tls}` })).status).toBe(503);
    expect((await verifying.sendRequest(request('OPTIONS'), { uri: `sips:127.0.0.1:${ua.wss};transport=ws` })).status).toBe(503);
  });

  it('reuse - transport=ws names WSS too (RFC 7118 §5.2): a WSS connection to that address is reused', async () => {
    const seen: IncomingRequest[] = [];
    const { wss } = await secureServer(first, seen);
    const client = await started({ listen: [], tls: { trustedCa: first.cert } });
    expect((await client.sendRequest(request('OPTIONS'), { uri: `sips:127.0.0.1:${wss};transport=ws` })).status).toBe(200);
    expect((await client.sendRequest(request('OPTIONS'), { uri: `sip:127.0.0.1:${wss};transport=ws` })).status).toBe(200);
    expect((await client.sendRequest(request('OPTIONS'), { uri: `sip:127.0.0.1:${wss};transport=wss` })).status).toBe(200);
    expect(new Set(seen.map((r) => r.flow.token)).size).toBe(1);
    expect(seen.map((r) => r.header('via')?.split(' ')[0])).toEqual(['SIP/2.0/WSS', 'SIP/2.0/WSS', 'SIP/2.0/WSS']);
  });

  it('contact - SIPS Contacts name the tls listener (the wss one over wss); without one it throws', async () => {
    const { stack, tls, wss } = await secureServer(first);
    expect(stack.contactUri('tls', 'alice')).toBe(`sip:alice@127.0.0.1:${tls};transport=tls`);
    expect(stack.contactUri('tls', 'alice', true)).toBe(`sips:alice@127.0.0.1:${tls}`);
    expect(stack.contactUri('udp', undefined, true)).toBe(`sips:127.0.0.1:${tls}`);
    expect(stack.contactUri('wss')).toBe(`sip:127.0.0.1:${wss};transport=ws`);
    expect(stack.contactUri('wss', undefined, true)).toBe(`sips:127.0.0.1:${wss};transport=ws`);
    const plain = await started({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }] });
    expect(() => plain.contactUri('udp', undefined, true)).toThrow(/no tls listener for a SIPS Contact/);
  });
});
