import { createSipStack, type IncomingRequest, type SipStack } from '@presence/sip';
import { createTestUa, eventually, sharedTestCertificate, startLine, type TestUa } from '@presence/testkit';
import { DOMAIN, pidf } from '@presence/testkit/behaviour';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answer200, bodyOf, headerOf, responseAndRequest, securePeer, sipRequest, type SecurePeer } from './secure-peer.js';
import { startStandaloneTarget, suiteEdgeConfig, type StandaloneTarget } from './standalone-target.js';

/** The standalone server (udp, tcp, tls, ws, wss listeners) against clients that are not our stack: node's tls and the ws package. */
describe('standalone over tls and wss', () => {
  let target: StandaloneTarget;
  const closing: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    target = await startStandaloneTarget();
  });
  afterAll(() => target.stop());
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  async function peer(transport: 'tls' | 'wss'): Promise<SecurePeer> {
    const connected = await securePeer(transport, target.port(transport), sharedTestCertificate().cert);
    closing.push(() => connected.close());
    return connected;
  }

  describe.each(['tls', 'wss'] as const)('%s', (transport) => {
    const VIA = transport.toUpperCase();
    /** RFC 7118 §5.2: URIs say transport=ws for WS and WSS alike. */
    const uriTransport = transport === 'wss' ? 'ws' : 'tls';

    it('one connection - REGISTER, SUBSCRIBE and PUBLISH over it; every NOTIFY comes back on it', async () => {
      const client = await peer(transport);
      const port = target.port(transport);
      const alice = `sip:alice-${transport}@${DOMAIN}`;
      const bob = `sip:bob-${transport}@${DOMAIN}`;
      // A .invalid Contact (RFC 7118 §5.2 style): the connection is the only way back to this client.
      const contact = `<sip:alice@client.invalid;transport=${uriTransport}>`;
      const fields = (branch: string, callId: string, cseq: string, extra: Record<string, string> = {}) => ({
        Via: `SIP/2.0/${VIA} client.invalid;rport;branch=z9hG4bK-${branch}`,
        'Max-Forwards': '70',
        From: `<${alice}>;tag=${branch}`,
        'Call-ID': `${callId}-${transport}`,
        CSeq: cseq,
        ...extra,
      });

      client.send(sipRequest('REGISTER', `sip:${DOMAIN}`, fields('r1', 'reg', '1 REGISTER', { To: `<${alice}>`, Contact: contact, Expires: '60' })));
      const registered = await client.next();
      expect(startLine(registered)).toBe('SIP/2.0 200 OK');
      // RFC 3261 §18.2.1 received, RFC 3581 rport: as for TCP.
      expect(headerOf(registered, 'via')).toMatch(new RegExp(`^SIP/2.0/${VIA} client.invalid;rport=\\d+;branch=z9hG4bK-r1;received=127.0.0.1$`));

      client.send(sipRequest('SUBSCRIBE', bob, fields('s1', 'sub', '1 SUBSCRIBE', { To: `<${bob}>`, Contact: contact, Event: 'presence', Accept: 'application/pidf+xml', Expires: '60' })));
      const subscribed = await responseAndRequest(client);
      expect(startLine(subscribed.response)).toBe('SIP/2.0 200 OK');
      expect(headerOf(subscribed.response, 'contact')).toBe(`<sip:127.0.0.1:${port};transport=${uriTransport}>`);
      expect(startLine(subscribed.request)).toBe(`NOTIFY sip:alice@client.invalid;transport=${uriTransport} SIP/2.0`);
      expect(headerOf(subscribed.request, 'via')).toMatch(new RegExp(`^SIP/2.0/${VIA} 127.0.0.1:${port};branch=`));
      client.send(answer200(subscribed.request));

      client.send(sipRequest('PUBLISH', bob, fields('p1', 'pub', '1 PUBLISH', { To: `<${bob}>`, Event: 'presence', Expires: '60', 'Content-Type': 'application/pidf+xml' }), pidf(bob, [{ id: 't1', basic: 'open' }])));
      const published = await responseAndRequest(client);
      expect(startLine(published.response)).toBe('SIP/2.0 200 OK');
      expect(startLine(published.request)).toMatch(/^NOTIFY /);
      expect(bodyOf(published.request)).toContain('<basic>open</basic>');
      expect(headerOf(published.request, 'cseq')).not.toBe(headerOf(subscribed.request, 'cseq'));
      client.send(answer200(published.request));
    });
  });

  it('sips - a SUBSCRIBE over UDP with a sips: Contact gets a sips: Contact and its NOTIFYs over TLS, on one connection', async () => {
    const notified: IncomingRequest[] = [];
    const certificate = sharedTestCertificate();
    const endpoint: SipStack = createSipStack({
      listen: [{ transport: 'tls', host: '127.0.0.1', port: 0 }],
      tls: { certificate },
      onRequest: (request) => {
        notified.push(request);
        request.respond(200);
      },
    });
    closing.push(() => endpoint.stop());
    const [tls] = await endpoint.start();
    const watcher = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: target.port('udp') }, aor: `sip:carol@${DOMAIN}` });
    closing.push(() => watcher.close());
    const publisher = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: target.port('udp') }, aor: `sip:dave@${DOMAIN}` });
    closing.push(() => publisher.close());

    const { response } = await watcher.subscribe(publisher.aor, { headers: { Contact: `<sips:carol@127.0.0.1:${tls!.port}>` } });
    expect(response.status).toBe(200);
    expect(response.header('contact')).toBe(`<sips:127.0.0.1:${target.port('tls')}>`);
    await eventually(() => expect(notified).toHaveLength(1));
    expect((await publisher.request('PUBLISH', { headers: { Event: 'presence', 'Content-Type': 'application/pidf+xml' }, body: pidf(publisher.aor, [{ id: 'd', basic: 'open' }]) })).status).toBe(200);
    await eventually(() => expect(notified).toHaveLength(2));
    expect(notified.map((n) => n.flow.transport)).toEqual(['tls', 'tls']);
    expect(new Set(notified.map((n) => n.flow.token)).size).toBe(1);
    expect(notified[1]!.body).toContain('<basic>open</basic>');
    expect(watcher.notifies).toHaveLength(0);
  });
});

describe('standalone without a tls listener', () => {
  it('sips - a dialog that must be secure is 416 Unsupported URI Scheme', async () => {
    const target = await startStandaloneTarget({ edge: suiteEdgeConfig({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], tls: undefined }) });
    let watcher: TestUa | undefined;
    try {
      watcher = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: target.port('udp') }, aor: `sip:erin@${DOMAIN}` });
      const { response } = await watcher.subscribe(`sip:frank@${DOMAIN}`, { headers: { Contact: '<sips:erin@127.0.0.1:5999>' } });
      expect(response.status).toBe(416);
      expect((await watcher.subscribe(`sip:frank@${DOMAIN}`)).response.status).toBe(200);
    } finally {
      await watcher?.close();
      await target.stop();
    }
  });
});
